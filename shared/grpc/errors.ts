/**
 * Service-level error classes: failures that belong to neither the domain
 * (`shared/domain/errors.ts`) nor the log (`shared/wal`). Handlers throw these;
 * `status.ts` maps each to its gRPC status code. Every class carries the
 * structured fields an operator or client needs.
 */

/** An agent went over its quota (records or bytes per window). */
/**
 * The server is at a named capacity limit (e.g. records in flight); nothing was
 * done, and the client should retry after `retryAfterMs`. RESOURCE_EXHAUSTED.
 */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
  constructor(
    /** What is full, e.g. `records_in_flight`. */
    readonly resource: string,
    readonly inUse: number,
    readonly limit: number,
    readonly retryAfterMs: number,
  ) {
    super(`the server is at its ${resource} limit (${inUse} of ${limit}); retry after ${retryAfterMs} ms`);
  }
}

export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  constructor(
    /** Who exceeded it: the agent's public key in hex. */
    readonly agent: string,
    /** Which quota, e.g. `records_per_second`. */
    readonly quota: string,
    /** The configured limit. */
    readonly limit: number,
    /** When the client may retry, if known. */
    readonly retryAfterMs?: number,
  ) {
    super(`agent ${agent} exceeded ${quota} (limit ${limit})`);
  }
}

/** A value (message, batch, field) is larger than a configured limit. */
export class SizeLimitError extends Error {
  override readonly name = 'SizeLimitError';
  constructor(
    /** Dotted path of the oversized field, e.g. `records`. */
    readonly field: string,
    readonly size: number,
    readonly sizeMax: number,
    /** What `size` counts, e.g. `bytes` or `records`. */
    readonly unit: string,
  ) {
    super(`${field}: ${size} ${unit} exceeds the limit of ${sizeMax}`);
  }
}

/** An admin-only record (gold standard, epoch) lacks a signature by a configured admin key. */
export class AdminSignatureRequiredError extends Error {
  override readonly name = 'AdminSignatureRequiredError';
  constructor(
    readonly field: string,
    readonly reason = 'requires a signature by a configured admin key',
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Something asked for by id or key does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    /** What kind of thing, e.g. `assertion`. */
    readonly what: string,
    /** Its id or key as the client gave it (hex for ids). */
    readonly key: string,
    /** The request field that named it. */
    readonly field?: string,
  ) {
    super(`${what} ${key} not found`);
  }
}

/** The call's deadline passed before the work finished. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(readonly deadlineMs: number) {
    super(`deadline exceeded (deadline ${new Date(deadlineMs).toISOString()})`);
  }
}

/** The client cancelled the call (or went away) before the work finished. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(readonly reason = 'cancelled by the client') {
    super(reason);
  }
}

/**
 * The service cannot answer right now, but a retry later (or elsewhere) may
 * succeed: shutting down, a dependency unreachable, a reader not caught up.
 */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * With agent admission on, a signer's key is not admitted (never granted, the
 * grant expired, or revoked), or a grant names a revoked key. PERMISSION_DENIED
 * naming the signature's field.
 */
export class AgentNotAdmittedError extends Error {
  override readonly name = 'AgentNotAdmittedError';
  constructor(
    /** Dotted path of the signer's public key, e.g. `record.assertion.signatures[1].public_key`. */
    readonly field: string,
    /** The agent's public key in hex. */
    readonly agent: string,
    /** `not_granted`, `expired` or `revoked`. */
    readonly state: string,
  ) {
    super(`${field}: agent ${agent} is not admitted to write (${state.replace('_', ' ')})`);
  }
}

/**
 * One peer (remote address) introduced signer keys faster than the writer's
 * per-peer fresh-key limit allows: a flood of throwaway keys from one place.
 * RESOURCE_EXHAUSTED with a retry-after hint.
 */
export class PeerRateLimitError extends Error {
  override readonly name = 'PeerRateLimitError';
  constructor(
    /** The peer's address (host), e.g. `127.0.0.1`. */
    readonly peer: string,
    /** New keys per second allowed. */
    readonly limit: number,
    readonly retryAfterMs: number | undefined,
    /** The request field holding the refused keys. */
    readonly field: string,
  ) {
    super(`peer ${peer} exceeded new_keys_per_second_per_peer (limit ${limit})${retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs)} ms`}`);
  }
}
