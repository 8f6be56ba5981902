/**
 * Test support: the crash states of a recorded run (recording-io.ts), built the
 * way ALICE and CrashMonkey do. Replaying the operations up to a crash point
 * gives, per file, the content made durable by its last fsync/fdatasync plus the
 * writes and truncations since (pending), and per directory the entries made
 * durable by its last directory fsync plus the entry changes since. A crash
 * state is the durable part plus a chosen part of the pending one:
 *   - file data: none, all, a prefix, or any subset of the pending writes, each
 *     write optionally torn into SECTOR_BYTES-aligned pieces of which any subset
 *     persists (the rest reads as zeros; a file grows to its furthest piece);
 *   - directory entries: a prefix of the pending changes (a journaled file
 *     system commits metadata in order); a hard link is one more entry for the
 *     same file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SECTOR_BYTES } from '../limits';
import type { FsOp } from './recording-io';

type Change = { kind: 'write'; position: number; data: Buffer } | { kind: 'truncate'; length: number };
type Entry = number | 'dir';
type NameOp = { kind: 'set'; name: string; entry: Entry } | { kind: 'unlink'; name: string } | { kind: 'rename'; from: string; to: string };

interface Inode {
  durable: Buffer;
  pending: Change[];
}

interface Dir {
  durable: Map<string, Entry>;
  pending: NameOp[];
}

/** How much of the pending state a crash state keeps; `random` in [0, 1). */
export interface CrashChoice {
  readonly random: () => number;
  /** 'durable': nothing pending; 'all': everything (what a process crash leaves); 'random': seeded choices. */
  readonly mode: 'durable' | 'all' | 'random';
}

function split(path: string): { dir: string; name: string } {
  const i = path.lastIndexOf('/');
  return i < 0 ? { dir: '', name: path } : { dir: path.slice(0, i), name: path.slice(i + 1) };
}

function applyChange(buf: Buffer, c: Change): Buffer {
  if (c.kind === 'truncate') return c.length <= buf.length ? Buffer.from(buf.subarray(0, c.length)) : Buffer.concat([buf, Buffer.alloc(c.length - buf.length)]);
  const end = c.position + c.data.length;
  const out = end <= buf.length ? Buffer.from(buf) : Buffer.concat([buf, Buffer.alloc(end - buf.length)]);
  c.data.copy(out, c.position);
  return out;
}

function applyName(map: Map<string, Entry>, op: NameOp): void {
  if (op.kind === 'set') map.set(op.name, op.entry);
  else if (op.kind === 'unlink') map.delete(op.name);
  else {
    const e = map.get(op.from);
    map.delete(op.from);
    if (e !== undefined) map.set(op.to, e);
  }
}

/** The file-system state after a prefix of the recorded operations. */
export class FsModel {
  private readonly inodes: Inode[] = [];
  private readonly dirs = new Map<string, Dir>([['', { durable: new Map(), pending: [] }]]);
  /** What the running process sees: path → inode. */
  private readonly live = new Map<string, number>();

  /** Start from files that existed (and were durable) before the recording began. */
  seed(path: string, content: Buffer): void {
    const id = this.inodes.push({ durable: Buffer.from(content), pending: [] }) - 1;
    this.live.set(path, id);
    this.dirOf(path).durable.set(split(path).name, id);
  }

  private dirOf(path: string): Dir {
    const d = this.dirs.get(split(path).dir);
    if (d === undefined) throw new Error(`crash model: no directory for ${path}`);
    return d;
  }

  private inodeOf(path: string): Inode {
    const id = this.live.get(path);
    if (id === undefined) throw new Error(`crash model: ${path} does not exist`);
    return this.inodes[id]!;
  }

  apply(op: FsOp): void {
    switch (op.op) {
      case 'mkdir':
        this.dirs.set(op.path, { durable: new Map(), pending: [] });
        this.dirOf(op.path).pending.push({ kind: 'set', name: split(op.path).name, entry: 'dir' });
        return;
      case 'create': {
        const id = this.inodes.push({ durable: Buffer.alloc(0), pending: [] }) - 1;
        this.live.set(op.path, id);
        this.dirOf(op.path).pending.push({ kind: 'set', name: split(op.path).name, entry: id });
        return;
      }
      case 'write':
        this.inodeOf(op.path).pending.push({ kind: 'write', position: op.position, data: op.data });
        return;
      case 'truncate':
        this.inodeOf(op.path).pending.push({ kind: 'truncate', length: op.length });
        return;
      case 'sync': {
        const ino = this.inodeOf(op.path);
        for (const c of ino.pending) ino.durable = applyChange(ino.durable, c);
        ino.pending = [];
        return;
      }
      case 'rename': {
        if (split(op.from).dir !== split(op.to).dir) throw new Error('crash model: rename across directories');
        const id = this.live.get(op.from);
        if (id === undefined) throw new Error(`crash model: ${op.from} does not exist`);
        this.live.delete(op.from);
        this.live.set(op.to, id);
        this.dirOf(op.from).pending.push({ kind: 'rename', from: split(op.from).name, to: split(op.to).name });
        return;
      }
      case 'link': {
        const id = this.live.get(op.from);
        if (id === undefined) throw new Error(`crash model: ${op.from} does not exist`);
        this.live.set(op.to, id);
        this.dirOf(op.to).pending.push({ kind: 'set', name: split(op.to).name, entry: id });
        return;
      }
      case 'unlink':
        this.live.delete(op.path);
        this.dirOf(op.path).pending.push({ kind: 'unlink', name: split(op.path).name });
        return;
      case 'dirsync': {
        const d = this.dirs.get(op.path);
        if (d === undefined) throw new Error(`crash model: no directory ${op.path}`);
        for (const n of d.pending) applyName(d.durable, n);
        d.pending = [];
        return;
      }
      case 'mark':
        return;
    }
  }

  /** Write one crash state under `root`: the durable part plus what `choice` keeps of the pending part. */
  materialize(root: string, choice: CrashChoice): void {
    const contents = new Map<number, Buffer>();
    const fileOf = (id: number): Buffer => {
      let c = contents.get(id);
      if (c === undefined) contents.set(id, (c = crashContent(this.inodes[id]!, choice)));
      return c;
    };
    const walk = (dirPath: string, out: string): void => {
      const d = this.dirs.get(dirPath)!;
      const names = new Map(d.durable);
      const keep = choice.mode === 'durable' ? 0 : choice.mode === 'all' ? d.pending.length : Math.floor(choice.random() * (d.pending.length + 1));
      for (const n of d.pending.slice(0, keep)) applyName(names, n);
      mkdirSync(out, { recursive: true });
      for (const [name, entry] of names) {
        const path = dirPath === '' ? name : `${dirPath}/${name}`;
        if (entry === 'dir') walk(path, join(out, name));
        else {
          mkdirSync(dirname(join(out, name)), { recursive: true });
          writeFileSync(join(out, name), fileOf(entry));
        }
      }
    };
    walk('', root);
  }
}

/** A file's content in a crash state. */
function crashContent(ino: Inode, choice: CrashChoice): Buffer {
  let buf = ino.durable;
  if (ino.pending.length === 0 || choice.mode === 'durable') return buf;
  if (choice.mode === 'all') {
    for (const c of ino.pending) buf = applyChange(buf, c);
    return buf;
  }
  const r = choice.random;
  const style = Math.floor(r() * 4);
  const prefix = Math.floor(r() * (ino.pending.length + 1));
  ino.pending.forEach((c, i) => {
    if (style === 0 && i >= prefix) return; // a prefix of the pending changes, whole
    if (style === 1 && r() < 0.5) return; // any subset, whole
    if (c.kind === 'write' && style >= 2) buf = applyPieces(buf, c, r, style === 3);
    else buf = applyChange(buf, c);
  });
  return buf;
}

/** A write torn into sector-aligned pieces: any subset persists (`inOrder`: a prefix of them). */
function applyPieces(buf: Buffer, c: { position: number; data: Buffer }, r: () => number, inOrder: boolean): Buffer {
  const pieces: { at: number; end: number }[] = [];
  for (let at = c.position; at < c.position + c.data.length; ) {
    const end = Math.min(c.position + c.data.length, (Math.floor(at / SECTOR_BYTES) + 1) * SECTOR_BYTES);
    pieces.push({ at, end });
    at = end;
  }
  const cut = Math.floor(r() * (pieces.length + 1));
  let out = buf;
  pieces.forEach((p, i) => {
    if (inOrder ? i >= cut : r() < 0.5) return;
    out = applyChange(out, { kind: 'write', position: p.at, data: c.data.subarray(p.at - c.position, p.end - c.position) });
  });
  return out;
}
