/** Resolve, ResolveSubject and Explain: validate at the edge, resolve, convert back, record the latency. */
import type {
  ExplainRequest,
  ExplainResponse,
  ResolveRequest,
  ResolveResponse,
  ResolveSubjectRequest,
  ResolveSubjectResponse,
} from '../../shared/gen/stemedb/v1/reader';
import type { UnaryFn } from '../../shared/grpc/handlers';
import { stemeMetrics } from '../../shared/telemetry/metrics';
import { predicateFromWire, queryFromWire, subjectFromWire } from './from-proto';
import type { Resolver } from './resolver';
import { resolutionToWire } from './to-proto';

/** Run `fn` and record its latency under the RPC's name and lens. */
async function timed<T>(rpc: string, lens: string, fn: () => Promise<T & { fromMaterializedView?: boolean }>): Promise<T> {
  const startedMs = performance.now();
  const result = await fn();
  stemeMetrics().resolveLatencyMs.record(performance.now() - startedMs, { rpc, lens, from_materialized_view: result.fromMaterializedView ?? false });
  return result;
}

export function resolveHandler(resolver: Resolver): UnaryFn<ResolveRequest, ResolveResponse> {
  return async (request, ctx) => {
    const subject = subjectFromWire(request.subject);
    const predicate = predicateFromWire(request.predicate);
    const q = queryFromWire(request.options);
    const r = await timed('Resolve', q.lens, () => resolver.resolvePair(subject, predicate, q, { explain: false, signal: ctx.signal, deadlineMs: ctx.deadlineMs }));
    return { resolution: resolutionToWire(r.resolution), servedAtOffset: BigInt(r.servedAtOffset), fromMaterializedView: r.fromMaterializedView };
  };
}

export function explainHandler(resolver: Resolver): UnaryFn<ExplainRequest, ExplainResponse> {
  return async (request, ctx) => {
    const subject = subjectFromWire(request.subject);
    const predicate = predicateFromWire(request.predicate);
    const q = queryFromWire(request.options);
    const r = await timed('Explain', q.lens, () => resolver.resolvePair(subject, predicate, q, { explain: true, signal: ctx.signal, deadlineMs: ctx.deadlineMs }));
    return { resolution: resolutionToWire(r.resolution), servedAtOffset: BigInt(r.servedAtOffset) };
  };
}

export function resolveSubjectHandler(resolver: Resolver): UnaryFn<ResolveSubjectRequest, ResolveSubjectResponse> {
  return async (request, ctx) => {
    const subject = subjectFromWire(request.subject);
    const q = queryFromWire(request.options);
    const r = await timed('ResolveSubject', q.lens, () => resolver.resolveSubject(subject, q, ctx.signal, ctx.deadlineMs));
    return { resolutions: r.resolutions.map(resolutionToWire), servedAtOffset: BigInt(r.servedAtOffset) };
  };
}
