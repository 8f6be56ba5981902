/** Every limit of `stemedb sim`, in one place (units last). */

/** Most facts one world may have. */
export const SIM_FACTS_MAX = 100_000;
/** Most independent agents. */
export const SIM_AGENTS_MAX = 500;
/** Most Sybil keys. */
export const SIM_SYBIL_KEYS_MAX = 10_000;
/** Records per AppendBatch while loading a world. */
export const SIM_APPEND_BATCH_RECORDS = 500;
/** Resolve calls in flight at once while scoring. */
export const SIM_QUERIES_IN_FLIGHT = 32;
/** Deadline of each call the simulator makes. */
export const SIM_CALL_DEADLINE_MS = 60_000;
/** How long the reader may take to apply everything the simulator appended. */
export const SIM_CATCH_UP_TIMEOUT_MS = 300_000;
