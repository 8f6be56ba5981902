#!/usr/bin/env node
// Stage and pack the TypeScript client as an npm package (`make client-ts-pack`):
// compile clients/typescript/src with declarations into dist/npm/stemedb-client, which
// then holds the client and the parts of shared/ it imports (domain, gen, two limits
// files) in the repository's layout, plus package.json, README.md and API.md; then
// `npm pack` it there (a local tarball; nothing is published).
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist', 'npm', 'stemedb-client');
fs.rmSync(out, { recursive: true, force: true });
execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(root, 'clients', 'typescript', 'tsconfig.json')], { stdio: 'inherit' });
for (const f of ['package.json', 'README.md', 'API.md']) fs.copyFileSync(path.join(root, 'clients', 'typescript', f), path.join(out, f));
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.join(root, 'dist', 'npm')], { cwd: out, encoding: 'utf8' }).trim();
process.stdout.write(`${path.join('dist', 'npm', tarball)}\n`);
