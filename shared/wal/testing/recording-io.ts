/**
 * Test support: a WalFs that performs every operation on the real files (through
 * node:fs) and records it, with paths relative to a root directory, so the
 * crash-state checker (crash-model.ts) can rebuild what a power loss at any
 * point could have left on disk. A workload adds `mark` entries (e.g. "these
 * records were acknowledged") between operations.
 */
import { relative, resolve } from 'node:path';
import { NODE_FILE_IO, type WalFs, type WalOpenMode } from '../file-io';

export type FsOp =
  | { readonly op: 'mkdir'; readonly path: string }
  | { readonly op: 'create'; readonly path: string }
  | { readonly op: 'write'; readonly path: string; readonly position: number; readonly data: Buffer }
  | { readonly op: 'truncate'; readonly path: string; readonly length: number }
  /** fsync or fdatasync of a file: its data (and size) are durable from here on. */
  | { readonly op: 'sync'; readonly path: string }
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  | { readonly op: 'link'; readonly from: string; readonly to: string }
  | { readonly op: 'unlink'; readonly path: string }
  /** fsync of a directory: its entries are durable from here on. */
  | { readonly op: 'dirsync'; readonly path: string }
  | { readonly op: 'mark'; readonly label: string; readonly value: number; readonly end: number };

export class RecordingIo implements WalFs {
  readonly ops: FsOp[] = [];
  private readonly root: string;
  private readonly paths = new Map<number, string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Record a workload event, e.g. `mark('ack', offset, nextOffset)`. */
  mark(label: string, value: number, end = value): void {
    this.ops.push({ op: 'mark', label, value, end });
  }

  private rel(path: string): string {
    return relative(this.root, resolve(path));
  }

  private pathOf(fd: number): string {
    const p = this.paths.get(fd);
    if (p === undefined) throw new Error(`RecordingIo: fd ${fd} was not opened through it`);
    return p;
  }

  openSync(path: string, mode: WalOpenMode): number {
    const fd = NODE_FILE_IO.openSync(path, mode);
    this.paths.set(fd, this.rel(path));
    if (mode === 'wx') this.ops.push({ op: 'create', path: this.rel(path) });
    return fd;
  }

  closeSync(fd: number): void {
    NODE_FILE_IO.closeSync(fd);
    this.paths.delete(fd);
  }

  writeSync(fd: number, data: Buffer, position: number): void {
    NODE_FILE_IO.writeSync(fd, data, position);
    this.ops.push({ op: 'write', path: this.pathOf(fd), position, data: Buffer.from(data) });
  }

  async write(fd: number, data: Buffer, position: number): Promise<void> {
    const path = this.pathOf(fd);
    const copy = Buffer.from(data);
    await NODE_FILE_IO.write(fd, data, position);
    this.ops.push({ op: 'write', path, position, data: copy });
  }

  datasyncSync(fd: number): void {
    NODE_FILE_IO.datasyncSync(fd);
    this.ops.push({ op: 'sync', path: this.pathOf(fd) });
  }

  async datasync(fd: number): Promise<void> {
    // Recorded when it starts: an fdatasync is only known to cover the writes that
    // completed before it began, so a write finishing while it runs (group commit
    // writes the next batch meanwhile) lands after it in the log, not durable by it.
    this.ops.push({ op: 'sync', path: this.pathOf(fd) });
    await NODE_FILE_IO.datasync(fd);
  }

  fsyncSync(fd: number): void {
    NODE_FILE_IO.fsyncSync(fd);
    this.ops.push({ op: 'sync', path: this.pathOf(fd) });
  }

  ftruncateSync(fd: number, length: number): void {
    NODE_FILE_IO.ftruncateSync(fd, length);
    this.ops.push({ op: 'truncate', path: this.pathOf(fd), length });
  }

  renameSync(from: string, to: string): void {
    NODE_FILE_IO.renameSync(from, to);
    const [f, t] = [this.rel(from), this.rel(to)];
    for (const [fd, p] of this.paths) if (p === f) this.paths.set(fd, t);
    this.ops.push({ op: 'rename', from: f, to: t });
  }

  linkSync(existing: string, to: string): void {
    NODE_FILE_IO.linkSync(existing, to);
    this.ops.push({ op: 'link', from: this.rel(existing), to: this.rel(to) });
  }

  unlinkSync(path: string): void {
    NODE_FILE_IO.unlinkSync(path);
    this.ops.push({ op: 'unlink', path: this.rel(path) });
  }

  mkdirSync(path: string): void {
    NODE_FILE_IO.mkdirSync(path);
    this.ops.push({ op: 'mkdir', path: this.rel(path) });
  }

  fsyncDirSync(dir: string): void {
    NODE_FILE_IO.fsyncDirSync(dir);
    this.ops.push({ op: 'dirsync', path: this.rel(dir) });
  }
}
