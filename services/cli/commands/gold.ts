/** `stemedb gold`: sign a gold standard with admin key files and append it. */
import type { GoldStandard } from '../../../shared/domain/types';
import { required, S } from '../args';
import { UsageError, type Command } from '../command';
import { EXIT_HELP, KEYS_HELP, parseSignedFlags, signAndSend, timeFlag } from '../sign-flags';
import { OBJECT_TYPES, parseObject, type ObjectType } from './assert';

export const gold: Command = {
  path: ['gold'],
  summary: 'sign a gold standard (a known-true value) with admin key files and append it',
  telemetry: 'client',
  help: `usage: stemedb gold --writer HOST:PORT --key FILE ... --subject S --predicate P --object V
                    [--type text|number|integer|boolean|entity|timestamp] [--created-at T] [--json]

Append a gold standard: the known-true object of (subject, predicate). Agents'
trust ranks learn from how their claims compare with it. The writer accepts a
gold standard only with a signature by an admin key.

options:
${KEYS_HELP}
  --subject S, --predicate P, --object V   (required), --object read as --type
  --type T            as for 'stemedb assert' (default text)
  --created-at T      ms since the epoch, or an ISO-8601 date; default now
  --json              print the receipt as JSON
  -h, --help          show this help

${EXIT_HELP}`,
  run(args, io) {
    const v = parseSignedFlags(args, { subject: S, predicate: S, object: S, type: S, 'created-at': S });
    const type = ((v.type as string | undefined) ?? 'text') as ObjectType;
    if (!OBJECT_TYPES.includes(type)) throw new UsageError(`--type must be one of ${OBJECT_TYPES.join(', ')} (got '${type}')`);
    const record: GoldStandard = { kind: 'gold_standard', subject: required(v, 'subject'), predicate: required(v, 'predicate'), object: parseObject(type, required(v, 'object')), createdAtMs: timeFlag('created-at', v['created-at'] as string | undefined), signatures: [] };
    return signAndSend(record, v, io);
  },
};
