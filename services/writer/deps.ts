/** What the writer's RPC handlers are composed from. */
import type { Logger } from '../../shared/telemetry/logger';
import type { Admission } from './admission';
import type { AppendLoad } from './append-load';
import type { PeerKeyLimit } from './peer-limit';
import type { ReplayGuard } from './replay-guard';
import type { Retention } from './retention';
import type { TailBudget } from './tail-budget';
import type { WriterLog } from './writer-log';

export interface WriterDeps {
  readonly log: WriterLog;
  readonly admission: Admission;
  /** The writer-wide bound on records in flight. */
  readonly load: AppendLoad;
  /** The per-peer fresh-key limit (absent when off or when admission is on). */
  readonly peers?: PeerKeyLimit;
  readonly logger: Logger;
  /**
   * Tells replays from new records (the on-disk id index). Without it every
   * record is appended and charged: only test fakes of the log go without.
   * @default none
   */
  readonly replays?: ReplayGuard;
  /** The writer-wide Tail budget. @default one TailBudget with the default limits per service */
  readonly tailBudget?: TailBudget;
  /**
   * The consumer registry and retention (ReportProgress, Head's consumers).
   * Without it ReportProgress is UNAVAILABLE: only test fakes go without. @default none
   */
  readonly retention?: Retention;
  /** Told when an append found the log unwritable (the server then reports NOT_SERVING). */
  onLogUnwritable(err: unknown): void;
}
