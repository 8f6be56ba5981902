/** `stemedb trust-pack`: sign a trust pack (agent weights for the Authority lens) and append it. */
import type { TrustEntry, TrustPack } from '../../../shared/domain/types';
import { many, parseHash, parseNumberFlag, required, S } from '../args';
import { UsageError, type Command } from '../command';
import { KEYS_HELP, parseSignedFlags, signAndSend, timeFlag } from '../sign-flags';

function entryFlag(text: string): TrustEntry {
  const m = /^([0-9a-fA-F]+)=(.+)$/.exec(text);
  if (m === null) throw new UsageError(`--entry: expected AGENT_HEX=WEIGHT (got '${text}')`);
  return { agent: parseHash('entry', m[1]!), weight: parseNumberFlag('entry', m[2]!) };
}

export const trustPackCommand: Command = {
  path: ['trust-pack'],
  summary: 'sign a trust pack (agent weights for the Authority lens) and append it',
  telemetry: 'client',
  help: `usage: stemedb trust-pack --writer HOST:PORT --key FILE ... --name NAME
                          --entry AGENT=WEIGHT ... [--created-at T] [--json]

Append a trust pack: a named list of agent weights that an Authority-lens query
can use instead of the learned trust ranks (--trust-pack ID on resolve; the id
is the receipt's id).

options:
${KEYS_HELP}
  --name NAME         (required)
  --entry AGENT=W     an agent's public key (64 hex) and its weight 0..1;
                      repeat, at least one, distinct agents
  --created-at T      ms since the epoch, or an ISO-8601 date; default now
  --json              print the receipt as JSON
  -h, --help          show this help

Exit status: 0 appended; 1 the writer refused it or failed (one line: status
code, field, hint); 2 a usage error.`,
  run(args, io) {
    const v = parseSignedFlags(args, { name: S, entry: { type: 'string', multiple: true }, 'created-at': S });
    const entries = many(v, 'entry').map(entryFlag).sort((a, b) => Buffer.compare(a.agent, b.agent));
    if (entries.length === 0) throw new UsageError('--entry AGENT=WEIGHT is required (at least one)');
    const record: TrustPack = { kind: 'trust_pack', name: required(v, 'name'), entries, createdAtMs: timeFlag('created-at', v['created-at'] as string | undefined), signatures: [] };
    return signAndSend(record, v, io);
  },
};
