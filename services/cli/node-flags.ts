/**
 * The node options every StemeDB service process starts with. V8 reads them
 * at start-up only, so each launcher passes them: the `stemedb` script, the
 * container's entry point, `stemedb dev`'s children, the benches' service
 * children and `make bench` (test/dev/node-flags.test.ts keeps them in step).
 */
import { SERVICE_SEMI_SPACE_MIB } from './limits';

export const SERVICE_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${SERVICE_SEMI_SPACE_MIB}`];
