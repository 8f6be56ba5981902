/** Limits of the trust jobs (`stemedb trust`, `stemedb trust learn`), units last. */

/** Claims per ListClaims page the learn job asks for (the reader's page maximum). */
export const LEARN_PAGE_CLAIMS = 1000;
/** Deadline of each reader or writer call the trust commands make. */
export const TRUST_CALL_DEADLINE_MS = 60_000;
/** Agents per GetTrust page `stemedb trust` asks for. */
export const TRUST_PAGE_AGENTS = 1000;
