/**
 * The writer's registered consumers and their cursors (the offset each has
 * applied the log through), kept in memory and in `consumers.json`
 * (consumer-file.ts). A new consumer, and a cursor that moves down (a reader
 * that lost its store), are written at once; a cursor moving up is written by
 * the next `persist()` — retention calls it before it deletes anything, so the
 * file never holds a cursor above one retention acted on, and a restart never
 * forgets a slow reader.
 */
import { SizeLimitError } from '../../shared/grpc/errors';
import type { Logger } from '../../shared/telemetry/logger';
import { checkConsumerId, readConsumersFile, writeConsumersFile, type ConsumerEntry } from './consumer-file';
import { CONSUMERS_MAX } from './limits';

export class ConsumerRegistry {
  private readonly byId = new Map<string, ConsumerEntry>();
  private dirty = false;

  private constructor(
    private readonly walDir: string,
    private readonly logId: string,
    private readonly logger: Logger,
    private readonly now: () => number,
    entries: readonly ConsumerEntry[],
  ) {
    for (const e of entries) this.byId.set(e.consumerId, e);
  }

  /** Load the registry of `walDir` (ConsumerFileError when the file cannot be used). */
  static open(walDir: string, logId: string, logger: Logger, now: () => number = Date.now): ConsumerRegistry {
    const registry = new ConsumerRegistry(walDir, logId, logger, now, readConsumersFile(walDir, logId));
    if (registry.byId.size > 0) logger.info('consumer registry loaded', { consumers: registry.byId.size, lowest_cursor: registry.lowestCursor() ?? null });
    return registry;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every consumer, by id. */
  entries(): ConsumerEntry[] {
    return [...this.byId.values()].sort((a, b) => (a.consumerId < b.consumerId ? -1 : 1));
  }

  get(consumerId: string): ConsumerEntry | undefined {
    return this.byId.get(consumerId);
  }

  /**
   * Record that `consumerId` has applied every record below `appliedOffset`,
   * registering it when new (SizeLimitError past CONSUMERS_MAX; ValidationError
   * for a bad id, naming `field`). Returns the entry as now held.
   */
  report(consumerId: string, appliedOffset: number, field = 'consumer_id'): ConsumerEntry {
    checkConsumerId(consumerId, field);
    const nowMs = this.now();
    const old = this.byId.get(consumerId);
    if (old === undefined && this.byId.size >= CONSUMERS_MAX) throw new SizeLimitError(field, this.byId.size + 1, CONSUMERS_MAX, 'registered consumers');
    const entry: ConsumerEntry = { consumerId, appliedOffset, registeredAtMs: old?.registeredAtMs ?? nowMs, reportedAtMs: nowMs };
    this.byId.set(consumerId, entry);
    this.dirty = true;
    if (old === undefined || appliedOffset < old.appliedOffset) {
      this.persist();
      if (old === undefined) this.logger.info('consumer registered', { consumer_id: consumerId, applied_offset: appliedOffset, consumers: this.byId.size });
      else this.logger.warn('consumer cursor moved back', { consumer_id: consumerId, applied_offset: appliedOffset, previous_offset: old.appliedOffset });
    }
    return entry;
  }

  /** The lowest cursor, or undefined with no consumers. */
  lowestCursor(): number | undefined {
    let low: number | undefined;
    for (const e of this.byId.values()) if (low === undefined || e.appliedOffset < low) low = e.appliedOffset;
    return low;
  }

  /** Write the registry if anything changed since the last write (atomically, fsynced). */
  persist(): void {
    if (!this.dirty) return;
    writeConsumersFile(this.walDir, this.logId, this.byId.values());
    this.dirty = false;
  }
}
