/**
 * `make client-ts-pack`'s script produces an npm tarball that works on its own:
 * unpacked outside the repository (dependencies from node_modules), it loads,
 * computes a FORMAT.md id, and carries type declarations.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../test/helpers/process';
import { makeTempDir } from '../../../test/helpers/tmp';

it('packs an installable package with declarations', () => {
  const tarball = execFileSync('node', [join(REPO_ROOT, 'scripts', 'pack-ts-client.js')], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const dir = makeTempDir('stemedb-client-pack-');
  try {
    execFileSync('tar', ['xzf', join(REPO_ROOT, tarball), '-C', dir.path]);
    const pkg = join(dir.path, 'package');
    expect(existsSync(join(pkg, 'clients', 'typescript', 'src', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'README.md')) && existsSync(join(pkg, 'API.md'))).toBe(true);
    // The first FORMAT.md vector (assertion-text), computed by the packed code in a fresh process.
    const script = `const c = require(${JSON.stringify(pkg)});
      const r = c.recordFromJson({kind:'assertion',subject:'city:france',predicate:'capital',object:{kind:'text',value:'Paris'},confidence:0.9,source_hash:'ab'.repeat(32),asserted_at_ms:1700000000000,signatures:[]}, 'record', {allowUnsigned:true});
      process.stdout.write(c.recordId(r).toString('hex') + ' ' + typeof c.WriterClient + ' ' + typeof c.ReaderClient);`;
    const out = execFileSync('node', ['-e', script], { cwd: dir.path, env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules') }, encoding: 'utf8' });
    expect(out).toBe('7a68f8ec36dac2b28d4a0e8308726f1bbf612c0efcca80b30c8e35481e29a63b function function');
  } finally {
    dir.cleanup();
  }
}, 180_000);
