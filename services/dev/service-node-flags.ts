/**
 * The Node flags a writer or reader process is started with, decided in one
 * place for every launcher of this repository (`stemedb dev`, the benches).
 *
 * On a machine of at most SINGLE_THREADED_GC_CORES_MAX cores the services run
 * V8's garbage collector on the main thread alone (`--single-threaded-gc`): with
 * the default parallel and concurrent collector, each process keeps up to four
 * helper threads marking and scavenging, and on two cores they take the CPU of
 * the verify worker and of the other service, and the main thread waits for them.
 * docs/OPERATIONS.md ("Garbage collection on small machines") has the
 * measurements and the same setting for containers.
 */
import { availableParallelism } from 'node:os';
import { SINGLE_THREADED_GC_CORES_MAX } from './limits';

export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';

/** Flags for `node` before the CLI script, on a machine with `cores` cores. */
export function serviceNodeFlags(cores: number = availableParallelism()): string[] {
  return cores <= SINGLE_THREADED_GC_CORES_MAX ? [SINGLE_THREADED_GC_FLAG] : [];
}
