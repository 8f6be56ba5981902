/**
 * How a graceful shutdown reaches long-lived streams. `startServer` tracks
 * every open streaming call; at shutdown it emits `DRAIN_EVENT` on the ones
 * whose handler said it can finish by itself (`markDrainable`, done by the
 * wrappers in `handlers.ts`) and ends all others with UNAVAILABLE, because an
 * endless stream (a health Watch, say) would otherwise hold the server open
 * until the forced stop.
 */
import type { EventEmitter } from 'node:events';

/** Emitted on a drainable call when the server starts shutting down. */
export const DRAIN_EVENT = 'stemedb:drain';

const DRAINABLE = Symbol('stemedb.drainable');

/** Declare that this call's handler listens for `DRAIN_EVENT` and ends the call itself. */
export function markDrainable(call: EventEmitter): void {
  (call as unknown as Record<symbol, boolean>)[DRAINABLE] = true;
}

export function isDrainable(call: EventEmitter): boolean {
  return (call as unknown as Record<symbol, boolean>)[DRAINABLE] === true;
}
