/**
 * `stemedb trust`: what a reader's Authority lens believes about each agent
 * (GetTrust); `stemedb trust learn`: run truth discovery over a reader's
 * claims and append the result as an admin-signed learned trust pack. gRPC
 * code is loaded only when a command runs.
 */
import { readKeyFile } from '../../../shared/domain/key-file';
import { parseFlags, parseHash, parseNumberFlag, required } from '../args';
import { UsageError, type Command } from '../command';
import type { AgentTrustJson, TrustJson } from '../../reader/client';

const SHOW_HELP = `usage: stemedb trust --reader HOST:PORT [--agent HEX] [--as-of N] [--json]

List each agent's trust as the Authority lens uses it when a query names no
trust pack: its estimated reliability (the chance its claim is true), the
lens weight max(0, ln(3·r/(1−r))), its gold-standard evidence (right / wrong /
judged), the learned pack's reliability for it (agreement across all facts)
and where the estimate comes from (gold, learned_pack, none). Formulas:
docs/LENSES.md "Where trust comes from".

options:
  --reader HOST:PORT  the reader's address (required)
  --agent HEX         one agent's public key (64 hex); listed even without a record
  --as-of N           as the log stood before offset N
  --json              one JSON object: agents, learned_pack_id, learned_pack_offset, served_at_offset
  -h, --help          show this help

Errors from the reader are printed with their gRPC status code and field; exit 1.`;

const LEARN_HELP = `usage: stemedb trust learn --reader HOST:PORT --writer HOST:PORT --key ADMIN_KEY_FILE
                          [--iterations N] [--min-offset N] [--json]

Truth discovery: read every claim and gold standard from the reader at one
served offset (ListClaims), estimate each agent's reliability from its
agreement with the estimated value of every fact, anchored by the gold
standards (copy-aware: a source counts once per value), and append the
estimates as a learned trust pack signed with the admin key. From the pack's
offset on, every reader's Authority lens uses it when a query names no pack.
Prints the pack id and offset and the job's cost (iterations, time, memory).

options:
  --reader HOST:PORT  the reader to learn from (required)
  --writer HOST:PORT  the writer to append the pack to (required; it must list
                      the key as an admin key)
  --key FILE          the admin key file (required)
  --iterations N      most rounds, 1..50 (default 30; stops earlier once stable)
  --min-offset N      wait until the reader has applied offset N first
  --json              print the result as one JSON object
  -h, --help          show this help`;

const S = { type: 'string' } as const;

function renderTrust(t: TrustJson): string {
  const pack = t.learned_pack_id === null ? 'none' : `${t.learned_pack_id} at offset ${String(t.learned_pack_offset)}`;
  const row = (a: AgentTrustJson): string =>
    `${a.agent}  ${a.reliability.toFixed(3)}  ${a.weight.toFixed(3)}  ${String(a.gold_right).padStart(5)}  ${String(a.gold_wrong).padStart(5)}  ${String(a.gold_judged).padStart(6)}  ${(a.learned_reliability?.toFixed(3) ?? '-').padStart(7)}  ${a.source}`;
  return [
    `served at offset ${t.served_at_offset}; learned pack: ${pack}`,
    `${'agent'.padEnd(64)}  relia  weight  right  wrong  judged  learned  source`,
    ...t.agents.map(row),
  ].join('\n');
}

export const trust: Command = {
  path: ['trust'],
  summary: "show each agent's trust estimate, evidence and where it came from",
  telemetry: 'client',
  help: SHOW_HELP,
  async run(args, io) {
    const v = parseFlags<{ reader?: string; agent?: string; 'as-of'?: string; json?: boolean }>(args, { reader: S, agent: S, 'as-of': S, json: { type: 'boolean' } });
    const reader = required(v as Record<string, unknown>, 'reader');
    const agent = v.agent === undefined ? undefined : parseHash('agent', v.agent);
    const asOf = v['as-of'] === undefined ? undefined : parseNumberFlag('as-of', v['as-of']);
    if (asOf !== undefined && !(Number.isSafeInteger(asOf) && asOf >= 0)) throw new UsageError(`--as-of: expected a log offset, got ${asOf}`);
    const { trustQuery } = await import('../../reader/client');
    const { TRUST_PAGE_AGENTS } = await import('../../trust/limits');
    const t = await trustQuery(reader, { ...(agent === undefined ? {} : { agent }), ...(asOf === undefined ? {} : { asOfOffset: asOf }), pageSize: TRUST_PAGE_AGENTS });
    io.out(v.json === true ? JSON.stringify(t) : renderTrust(t));
    return 0;
  },
};

export const trustLearn: Command = {
  path: ['trust', 'learn'],
  summary: 'learn agent reliabilities from agreement and publish an admin-signed trust pack',
  telemetry: 'client',
  help: LEARN_HELP,
  async run(args, io) {
    const v = parseFlags<{ reader?: string; writer?: string; key?: string; iterations?: string; 'min-offset'?: string; json?: boolean }>(args, {
      reader: S,
      writer: S,
      key: S,
      iterations: S,
      'min-offset': S,
      json: { type: 'boolean' },
    });
    const reader = required(v as Record<string, unknown>, 'reader');
    const writer = required(v as Record<string, unknown>, 'writer');
    const admin = readKeyFile(required(v as Record<string, unknown>, 'key'));
    const iterations = v.iterations === undefined ? undefined : parseNumberFlag('iterations', v.iterations);
    const minOffset = v['min-offset'] === undefined ? undefined : parseNumberFlag('min-offset', v['min-offset']);
    const { LEARN_ITERATIONS_MAX } = await import('../../../shared/truth/limits');
    if (iterations !== undefined && !(Number.isInteger(iterations) && iterations >= 1 && iterations <= LEARN_ITERATIONS_MAX)) throw new UsageError(`--iterations: expected 1..${LEARN_ITERATIONS_MAX}, got ${iterations}`);
    if (minOffset !== undefined && !(Number.isSafeInteger(minOffset) && minOffset >= 0)) throw new UsageError(`--min-offset: expected a log offset, got ${minOffset}`);
    const { learnTrust } = await import('../../trust/learn');
    const r = await learnTrust({ reader, writer, admin, ...(iterations === undefined ? {} : { iterations }), ...(minOffset === undefined ? {} : { minOffset }) });
    const summary = {
      pack_id: r.packId,
      pack_offset: r.packOffset,
      served_at_offset: r.servedAtOffset,
      claims: r.claims,
      gold_standards: r.goldStandards,
      agents: r.agents,
      pack_agents: r.packAgents,
      iterations: r.iterations,
      converged: r.converged,
      read_ms: Math.round(r.readMs),
      estimate_ms: Math.round(r.estimateMs),
      heap_used_mib: Math.round(r.heapUsedMiB * 10) / 10,
    };
    io.out(
      v.json === true
        ? JSON.stringify(summary)
        : [
            `learned pack ${summary.pack_id} at offset ${summary.pack_offset}`,
            `  read ${summary.claims} live claims and ${summary.gold_standards} gold standards at offset ${summary.served_at_offset} in ${summary.read_ms} ms`,
            `  ${summary.agents} agents (${summary.pack_agents} in the pack); ${summary.iterations} iterations, ${summary.converged ? 'converged' : 'not converged'}, ${summary.estimate_ms} ms, heap ${summary.heap_used_mib} MiB`,
          ].join('\n'),
    );
    return 0;
  },
};
