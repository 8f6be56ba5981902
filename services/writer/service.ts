/** The WriterService implementation: each RPC's handler wrapped by shared/grpc (deadlines, status mapping, flow control). */
import { bidiStream, serverStream, unary } from '../../shared/grpc/handlers';
import type { ServiceRegistration } from '../../shared/grpc/server';
import { appendBatchHandler, appendHandler } from './append-handlers';
import { appendStreamHandler, type AppendStreamOptions } from './append-stream';
import type { WriterDeps } from './deps';
import { headHandler, tailHandler } from './tail-handlers';
import { reportProgressHandler } from './consumer-handlers';
import { WRITER_SERVICE_DEFINITION } from './request-records';

/** Full name of the service, as health and reflection list it. */
export const WRITER_SERVICE_NAME = 'stemedb.v1.WriterService';

export function writerService(deps: WriterDeps, streamOptions: AppendStreamOptions = {}): ServiceRegistration {
  const options = { logger: deps.logger };
  return {
    definition: WRITER_SERVICE_DEFINITION,
    implementation: {
      append: unary(appendHandler(deps), options),
      appendBatch: unary(appendBatchHandler(deps), options),
      appendStream: bidiStream(appendStreamHandler(deps, streamOptions), options),
      tail: serverStream(tailHandler(deps), options),
      head: unary(headHandler(deps), options),
      reportProgress: unary(reportProgressHandler(deps), options),
    },
  };
}
