/**
 * `stemedb agent grant | revoke | list`: admin-signed AgentGrant and
 * AgentRevoke records appended through a writer, and the writer's admission
 * table read from its WAL directory. docs/SECURITY.md explains admission.
 */
import { readKeyFile } from '../../../shared/domain/key-file';
import { signRecord } from '../../../shared/domain/signing';
import type { AgentGrant, AgentRevoke } from '../../../shared/domain/types';
import { parseFlags, required } from '../args';
import { UsageError, type Command } from '../command';
import { submitAndPrint } from './assert';

const S = { type: 'string' } as const;
const B = { type: 'boolean' } as const;

const GRANT_HELP = `usage: stemedb agent grant --writer HOST:PORT --key ADMIN_KEY_FILE --agent HEX
                           [--expires ISO-8601|MS] [--json]

Admit an agent's key to write: an AgentGrant signed with an admin key (one of
the writer's --admin-key keys), appended through the writer. With the writer's
--admission on, records are accepted only when every signer is an admin key or
holds an unexpired grant and was never revoked. A later grant of the same key
replaces the earlier one (e.g. to change its expiry). Prints the receipt.

options:
  --writer HOST:PORT  the writer's address (required)
  --key FILE          an admin key file from 'stemedb keygen' (required)
  --agent HEX         the agent's public key, 64 hex (required)
  --expires T         end of the grant: ms since the epoch or an ISO-8601 date
                      (default: no end)
  --json              print the receipt as JSON
  -h, --help          show this help`;

const REVOKE_HELP = `usage: stemedb agent revoke --writer HOST:PORT --key ADMIN_KEY_FILE --agent HEX
                            [--reason TEXT] [--json]

Revoke an agent's key for good: an AgentRevoke signed with an admin key. With
admission on, the writer refuses the key's later records; the Authority lens
gives its claims no weight from the revocation's offset on (History and
GetAssertion still show them; as_of before the revocation answers as before).
A revoked key cannot be granted again. Prints the receipt.

options:
  --writer HOST:PORT  the writer's address (required)
  --key FILE          an admin key file (required)
  --agent HEX         the agent's public key, 64 hex (required)
  --reason TEXT       why, for operators (at most 1024 bytes)
  --json              print the receipt as JSON
  -h, --help          show this help`;

const LIST_HELP = `usage: stemedb agent list --wal DIR [--json]

The writer's admission table, read from its WAL directory (safe while the
writer runs; read-only): every agent with a grant or a revocation, its state
(granted, expired, revoked), the offsets of its grant and revocation and the
grant's expiry.

options:
  --wal DIR    the writer's WAL directory (required)
  --json       one JSON object per agent, one per line
  -h, --help   show this help`;

function parseAgent(text: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new UsageError(`--agent: expected a 64-hex public key (got '${text}')`);
  return Buffer.from(text, 'hex');
}

function parseTime(flag: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms)) throw new UsageError(`--${flag}: '${text}' is neither milliseconds nor an ISO-8601 date`);
  return ms;
}

export const agentGrant: Command = {
  path: ['agent', 'grant'],
  summary: 'admit an agent key to write (admin-signed AgentGrant)',
  telemetry: 'client',
  help: GRANT_HELP,
  async run(args, io) {
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, { writer: S, key: S, agent: S, expires: S, json: B });
    const admin = readKeyFile(required(v, 'key'));
    const unsigned: AgentGrant = {
      kind: 'agent_grant',
      agent: parseAgent(required(v, 'agent')),
      grantedAtMs: Date.now(),
      expiresAtMs: typeof v.expires === 'string' ? parseTime('expires', v.expires) : null,
      signatures: [],
    };
    return submitAndPrint(signRecord(unsigned, [admin]), required(v, 'writer'), v.json === true, io);
  },
};

export const agentRevoke: Command = {
  path: ['agent', 'revoke'],
  summary: 'revoke an agent key for good (admin-signed AgentRevoke)',
  telemetry: 'client',
  help: REVOKE_HELP,
  async run(args, io) {
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, { writer: S, key: S, agent: S, reason: S, json: B });
    const admin = readKeyFile(required(v, 'key'));
    const unsigned: AgentRevoke = { kind: 'agent_revoke', agent: parseAgent(required(v, 'agent')), reason: typeof v.reason === 'string' ? v.reason : '', revokedAtMs: Date.now(), signatures: [] };
    return submitAndPrint(signRecord(unsigned, [admin]), required(v, 'writer'), v.json === true, io);
  },
};

export const agentList: Command = {
  path: ['agent', 'list'],
  summary: "list the writer's admission table (grants, expiries, revocations)",
  help: LIST_HELP,
  async run(args, io) {
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, { wal: S, json: B });
    const dir = required(v, 'wal');
    const [{ WalReader }, { AgentRegistry }, { createLogger }] = await Promise.all([import('../../../shared/wal/wal-reader'), import('../../writer/agent-registry'), import('../../../shared/telemetry/logger')]);
    const base = createLogger({ component: 'agents' });
    // Progress lines are for the writer's log; a listing shows only warnings.
    const logger = { ...base, info: () => undefined, debug: () => undefined };
    const log = await WalReader.open({ dir, logger });
    let agents;
    try {
      agents = (await AgentRegistry.open(dir, log, [], logger, { readOnly: true })).list();
    } finally {
      await log.close();
    }
    if (v.json === true) for (const a of agents) io.out(JSON.stringify({ agent: a.agent, state: a.state, grant_offset: a.grantOffset, expires_at_ms: a.expiresAtMs, revoke_offset: a.revokeOffset }));
    else if (agents.length === 0) io.out('no agents granted or revoked');
    else {
      const expiry = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());
      for (const a of agents) io.out(`${a.agent}  ${a.state.padEnd(7)}  grant@${a.grantOffset ?? '-'}  expires ${expiry(a.expiresAtMs)}  revoke@${a.revokeOffset ?? '-'}`);
    }
    return 0;
  },
};
