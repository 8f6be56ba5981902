/**
 * Is dist/ older than its sources? Integration tests start children from the
 * built JavaScript, so a source edited after the last `make build` would be
 * tested as it was before the edit. `staleOutputs(root)` lists every TypeScript
 * source under shared/, services/ and bench/ whose dist/ output is missing, or
 * older than the source while the last successful build (dist/.build-stamp,
 * touched by `make build`: tsc leaves an output alone when its content would not
 * change) is older too; and every .proto newer than the generated code
 * (shared/gen/.stamp).
 * An absent dist/ is not stale (nothing built yet: `requireBuilt` names it).
 * Plain CommonJS so jest's globalSetup loads it without a transform.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const SOURCE_DIRS = ['shared', 'services', 'bench'];

function* walk(dir, suffix) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'results') yield* walk(p, suffix);
    } else if (entry.name.endsWith(suffix)) yield p;
  }
}

/** `{source, output, reason}` for every stale or missing output, paths relative to `root`. */
function staleOutputs(root) {
  const dist = path.join(root, 'dist');
  if (!fs.existsSync(dist)) return [];
  const stale = [];
  const stampPath = path.join(dist, '.build-stamp');
  const builtAtMs = fs.existsSync(stampPath) ? fs.statSync(stampPath).mtimeMs : 0;
  for (const dir of SOURCE_DIRS) {
    for (const source of walk(path.join(root, dir), '.ts')) {
      if (source.endsWith('.d.ts') || source.endsWith('.test.ts')) continue;
      const rel = path.relative(root, source);
      const output = path.join(dist, rel.replace(/\.ts$/, '.js'));
      const relOut = path.relative(root, output);
      if (!fs.existsSync(output)) stale.push({ source: rel, output: relOut, reason: 'missing' });
      else if (Math.max(builtAtMs, fs.statSync(output).mtimeMs) < fs.statSync(source).mtimeMs) stale.push({ source: rel, output: relOut, reason: 'older than its source' });
    }
  }
  const stamp = path.join(root, 'shared', 'gen', '.stamp');
  for (const proto of walk(path.join(root, 'proto'), '.proto')) {
    if (!fs.existsSync(stamp) || fs.statSync(stamp).mtimeMs < fs.statSync(proto).mtimeMs) {
      stale.push({ source: path.relative(root, proto), output: path.relative(root, stamp), reason: 'generated code older than the .proto' });
    }
  }
  return stale;
}

/** The error message for a non-empty `staleOutputs` result. */
function staleMessage(stale, shown = 10) {
  const lines = stale.slice(0, shown).map((s) => `  ${s.output} (${s.reason}): ${s.source}`);
  if (stale.length > shown) lines.push(`  … and ${stale.length - shown} more`);
  return `dist/ is older than its sources, so integration tests would run the previous build:\n${lines.join('\n')}\nRun \`make build\` first.`;
}

module.exports = { staleOutputs, staleMessage };
