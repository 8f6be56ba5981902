/** `stemedb epoch`: sign an epoch with admin key files and append it. */
import type { Epoch } from '../../../shared/domain/types';
import { required, S } from '../args';
import type { Command } from '../command';
import { EXIT_HELP, KEYS_HELP, parseSignedFlags, signAndSend, timeFlag } from '../sign-flags';

export const epoch: Command = {
  path: ['epoch'],
  summary: 'sign an epoch (a named paradigm) with admin key files and append it',
  telemetry: 'client',
  help: `usage: stemedb epoch --writer HOST:PORT --key FILE ... --name NAME [--description D]
                     [--parent NAME] [--starts-at T] [--json]

Append an epoch that assertions may name (--epoch on assert and the queries).
An assertion may name an epoch that does not exist (yet): the reader does not
check. The writer accepts an epoch only with a signature by an admin key.

options:
${KEYS_HELP}
  --name NAME         (required)
  --description D     default ""
  --parent NAME       the parent epoch
  --starts-at T       ms since the epoch, or an ISO-8601 date; default now
  --json              print the receipt as JSON
  -h, --help          show this help

${EXIT_HELP}`,
  run(args, io) {
    const v = parseSignedFlags(args, { name: S, description: S, parent: S, 'starts-at': S });
    const record: Epoch = { kind: 'epoch', name: required(v, 'name'), description: (v.description as string | undefined) ?? '', startsAtMs: timeFlag('starts-at', v['starts-at'] as string | undefined), parent: (v.parent as string | undefined) ?? null, signatures: [] };
    return signAndSend(record, v, io);
  },
};
