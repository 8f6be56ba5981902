/**
 * The Node flags a writer or reader process is started with, decided in one
 * place for every launcher of this repository (`stemedb dev`, the benches).
 *
 * - On a machine of at most SINGLE_THREADED_GC_CORES_MAX cores the services run
 *   V8's garbage collector on the main thread alone (`--single-threaded-gc`):
 *   with the default parallel and concurrent collector, each process keeps up
 *   to four helper threads marking and scavenging, and on two cores they take
 *   the CPU of the verify worker and of the other service, and the main thread
 *   waits for them.
 * - A reader gets a young generation of READER_SEMI_SPACE_MIB per semi-space
 *   (`--max-semi-space-size`), on every machine: what a scavenge costs is the
 *   objects still alive, and with more room fewer of an ingest batch's are. The
 *   writer's live objects are the calls waiting for their fdatasync, which a
 *   larger young generation does not make fewer, so it keeps the default.
 *
 * docs/OPERATIONS.md ("Garbage collection") has the measurements and the same
 * settings for containers.
 */
import { availableParallelism } from 'node:os';
import { READER_SEMI_SPACE_MIB, SINGLE_THREADED_GC_CORES_MAX } from './limits';

export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';
export const READER_SEMI_SPACE_FLAG = `--max-semi-space-size=${READER_SEMI_SPACE_MIB}`;

/** Flags for `node` before the CLI script of `service` (`writer`, `reader`, or another command: the writer's rule), on a machine with `cores` cores. */
export function serviceNodeFlags(service: string, cores: number = availableParallelism()): string[] {
  const flags = cores <= SINGLE_THREADED_GC_CORES_MAX ? [SINGLE_THREADED_GC_FLAG] : [];
  if (service === 'reader') flags.push(READER_SEMI_SPACE_FLAG);
  return flags;
}
