#!/usr/bin/env node
// Source rules the compiler cannot check: no console.log/debug in library or
// service code (use the structured logger or the CLI's io), no focused or
// skipped tests, and no `_MAX` constant outside a module's limits.ts (every
// limit is a named constant there, docs/ARCHITECTURE.md). Exits non-zero
// listing every violation.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const rules = [
  { dirs: ['shared', 'services', 'clients/typescript'], re: /\bconsole\.(log|debug|info)\(/, what: 'console.* in library/service code' },
  { dirs: ['test', 'shared', 'services', 'clients/typescript'], re: /\b(it|test|describe)\.(only|skip)\(|\bx(it|describe)\(/, what: 'focused or skipped test' },
];

function* walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'gen' || entry.name === 'node_modules') continue;
      yield* walk(p);
    } else if (entry.name.endsWith('.ts')) yield p;
  }
}

const problems = [];
for (const rule of rules) {
  for (const d of rule.dirs) {
    for (const file of walk(path.join(root, d))) {
      fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (rule.re.test(line)) problems.push(`${path.relative(root, file)}:${i + 1}: ${rule.what}: ${line.trim()}`);
      });
    }
  }
}

// A constant named ..._MAX (or MAX_...) is a limit, and lives in its module's
// limits.ts. The exceptions are maxima a file format or encoding defines (they
// stay beside that format), lens parameters (shared/lens/params.ts) and the
// simulator's acceptance thresholds: each is named here, file by file, and one
// that is no longer there is reported too, so the list cannot go stale.
const MAX_CONSTANTS_ALLOWED = {
  'shared/domain/byte-writer.ts': ['U32_MAX'], // the range of a u32 field
  'shared/domain/log-payload.ts': ['CUT_VARINT_BYTES_MAX'], // the longest varint wire-fields.ts cuts
  'shared/domain/wire-fields.ts': ['VARINT_BYTES_MAX', 'LENGTH_BYTES_CANONICAL_MAX'], // protobuf varints
  'shared/graph/stored-record.ts': ['CO_SIGNERS_MAX'], // a u16 count field
  'shared/storage/keys.ts': ['TAG_CODE_BYTES_MAX'], // the key encoding's tag codes
  'shared/lens/params.ts': ['RELIABILITY_MAX', 'OBJECT_DISPLAY_CHARS_MAX'], // lens parameters
  'services/sim/report.ts': ['AUTHORITY_UNDER_ORACLE_POINTS_MAX'], // an acceptance threshold (docs/LENSES.md "Simulator")
};
const CONSTANT = /^\s*(?:export\s+)?const\s+([A-Z][A-Z0-9_]*)\s*[:=]/;
const MAX_NAME = /(?:^|_)MAX(?:_|$)/;
const allowedSeen = new Set();
for (const d of ['shared', 'services', 'clients/typescript/src']) {
  for (const file of walk(path.join(root, d))) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (path.basename(file) === 'limits.ts' || rel.split('/').includes('testing')) continue;
    const allowed = MAX_CONSTANTS_ALLOWED[rel] ?? [];
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const name = CONSTANT.exec(line)?.[1];
      if (name === undefined || !MAX_NAME.test(name)) return;
      if (allowed.includes(name)) allowedSeen.add(`${rel}:${name}`);
      else problems.push(`${rel}:${i + 1}: a limit outside its module's limits.ts (move it there, or name it in MAX_CONSTANTS_ALLOWED if a format defines it): ${line.trim()}`);
    });
  }
}
for (const [rel, names] of Object.entries(MAX_CONSTANTS_ALLOWED)) {
  for (const name of names) {
    if (!allowedSeen.has(`${rel}:${name}`)) problems.push(`scripts/check-source.js: MAX_CONSTANTS_ALLOWED names ${name} in ${rel}, which no longer defines it`);
  }
}
if (problems.length > 0) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
