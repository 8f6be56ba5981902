/** What the writer's RPC handlers are composed from. */
import type { Logger } from '../../shared/telemetry/logger';
import type { Admission } from './admission';
import type { AppendLoad } from './append-load';
import type { PeerKeyLimit } from './peer-limit';
import type { WriterLog } from './writer-log';

export interface WriterDeps {
  readonly log: WriterLog;
  readonly admission: Admission;
  /** The writer-wide bound on records in flight. */
  readonly load: AppendLoad;
  /** The per-peer fresh-key limit (absent when off or when admission is on). */
  readonly peers?: PeerKeyLimit;
  readonly logger: Logger;
  /** Told when an append found the log unwritable (the server then reports NOT_SERVING). */
  onLogUnwritable(err: unknown): void;
}
