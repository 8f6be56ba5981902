/** The ReaderService implementation: each RPC's handler wrapped by shared/grpc (deadlines, status mapping, flow control). */
import { ReaderServiceService } from '../../shared/gen/stemedb/v1/reader';
import { serverStream, unary } from '../../shared/grpc/handlers';
import type { ServiceRegistration } from '../../shared/grpc/server';
import type { BatchBell } from './batch-bell';
import type { ReaderCore } from './core';
import { IndexReader } from '../../shared/graph/index-reader';
import { bySignerHandler, findSubjectsHandler, listPredicatesHandler, listSubjectsHandler } from './graph-query-handlers';
import { queryHandler } from './query-handler';
import { bySourceHandler, getAssertionHandler, historyHandler, listEscalationsHandler } from './record-handlers';
import { explainHandler, resolveHandler, resolveSubjectHandler } from './resolve-handlers';
import { Resolver } from './resolver';
import { snapshotHandler, type SnapshotServing } from './snapshot-handler';
import { statusHandler, type HeadTracker } from './status-handler';
import { getTrustHandler, listClaimsHandler } from './trust-handlers';
import { watchHandler } from './watch-handler';

/** Full name of the service, as health and reflection list it. */
export const READER_SERVICE_NAME = 'stemedb.v1.ReaderService';

export function readerService(core: ReaderCore, bell: BatchBell, heads: HeadTracker, snapshots: SnapshotServing): ServiceRegistration {
  const options = { logger: core.logger };
  const resolver = new Resolver(core);
  const index = new IndexReader(core.graph.store);
  return {
    definition: ReaderServiceService,
    implementation: {
      resolve: unary(resolveHandler(resolver), options),
      resolveSubject: unary(resolveSubjectHandler(resolver), options),
      explain: unary(explainHandler(resolver), options),
      getAssertion: unary(getAssertionHandler(core), options),
      history: serverStream(historyHandler(core), options),
      bySource: unary(bySourceHandler(core), options),
      listEscalations: unary(listEscalationsHandler(core), options),
      watch: serverStream(watchHandler(resolver, bell), options),
      status: unary(statusHandler(core, heads), options),
      findSubjects: unary(findSubjectsHandler(index, resolver), options),
      listSubjects: unary(listSubjectsHandler(core, index), options),
      listPredicates: unary(listPredicatesHandler(core, index), options),
      bySigner: unary(bySignerHandler(core, index), options),
      query: serverStream(queryHandler(core, index, resolver), options),
      listClaims: unary(listClaimsHandler(core), options),
      getTrust: unary(getTrustHandler(core), options),
      snapshot: serverStream(snapshotHandler(snapshots), options),
    },
  };
}
