#!/usr/bin/env node
// Source rules the compiler cannot check: no console.log/debug in library or
// service code (use the structured logger or the CLI's io), and no focused or
// skipped tests. Exits non-zero listing every violation.
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
if (problems.length > 0) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
