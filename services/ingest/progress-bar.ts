/**
 * The terminal progress bar of an offline ingest (`stemedb ingest`): one line,
 * redrawn in place (ANSI) at most every PROGRESS_INTERVAL_MS. Only for a
 * terminal: the caller decides.
 */
import { PROGRESS_INTERVAL_MS } from './limits';

const BAR_CHARS = 24;
/** ANSI: cursor up one line, clear it. */
const REDRAW = '\x1b[1A\x1b[2K';

export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = -Infinity;
  private drawn = false;
  private last: [number, number, number] = [0, 0, 0];

  constructor(
    /** Writes one line (a newline is added by the sink). */
    private readonly writeLine: (line: string) => void,
  ) {}

  /** `bytes` of `total` log bytes applied so far, `records` records. */
  update(records: number, bytes: number, total: number): void {
    this.last = [records, bytes, total];
    const now = performance.now();
    if (now - this.lastDraw < PROGRESS_INTERVAL_MS) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Draws the final state. */
  done(): void {
    if (this.last[0] > 0) this.draw(performance.now());
  }

  private draw(now: number): void {
    const [records, bytes, total] = this.last;
    const seconds = Math.max((now - this.started) / 1000, 1e-3);
    const fraction = total > 0 ? Math.min(bytes / total, 1) : 1;
    const filled = Math.round(fraction * BAR_CHARS);
    const rate = records / seconds;
    const bytesPerSec = bytes / seconds;
    const eta = bytesPerSec > 0 ? Math.ceil((total - bytes) / bytesPerSec) : 0;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_CHARS - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${records} records  ${(bytes / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB  ${Math.round(rate)} records/s  ETA ${eta}s`;
    this.writeLine((this.drawn ? REDRAW : '') + line);
    this.drawn = true;
  }
}
