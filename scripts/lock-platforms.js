#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages that
// this machine's registry does not serve (darwin, win32, other CPUs). Without
// them `npm ci` calls the lock out of sync; with them, marked optional and
// restricted to their os/cpu, `npm ci` skips them without fetching anything.
// Run after every `npm install`: node scripts/lock-platforms.js
'use strict';
const fs = require('fs');
const path = require('path');

const lockPath = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const pkgs = lock.packages;

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'sunos', 'aix'];
const CPU = { arm64: 'arm64', aarch64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', armv7: 'arm', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

/** os/cpu/libc from a platform package name such as core-linux-arm-gnueabihf. */
function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const os = words.find((w) => OS.includes(w));
  const cpu = words.map((w) => CPU[w]).find(Boolean);
  if (os === undefined || cpu === undefined) return undefined;
  const out = { os: [os], cpu: [cpu] };
  if (os === 'linux') out.libc = [words.some((w) => w.startsWith('musl')) ? 'musl' : 'glibc'];
  return out;
}

let added = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  const optional = entry.optionalDependencies || {};
  const base = key === '' ? '' : key + '/';
  for (const [dep, range] of Object.entries(optional)) {
    const nested = `${base}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (pkgs[nested] || pkgs[hoisted]) continue;
    const platform = platformOf(dep);
    if (platform === undefined) {
      process.stderr.write(`lock-platforms: ${dep} (optional of ${key || 'root'}) is missing and is not a platform package; fix by hand\n`);
      process.exitCode = 1;
      continue;
    }
    pkgs[hoisted] = { version: range.replace(/^[\^~=]/, ''), cpu: platform.cpu, ...(platform.libc ? { libc: platform.libc } : {}), dev: entry.dev, optional: true, os: platform.os };
    if (!entry.dev) delete pkgs[hoisted].dev;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
process.stderr.write(`lock-platforms: added ${added} platform entries\n`);
