/** The staleness check behind jest's globalSetup: which dist/ outputs are older than their sources. */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { useTempDir } from '../helpers/tmp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { staleOutputs, staleMessage } = require('./stale-build') as {
  staleOutputs: (root: string) => { source: string; output: string; reason: string }[];
  staleMessage: (stale: { source: string; output: string; reason: string }[]) => string;
};

function file(path: string, mtimeS: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, mtimeS, mtimeS);
}

describe('stale dist/ check', () => {
  const tmp = useTempDir('stemedb-stale-');

  it('an absent dist/ is not stale; fresh outputs are not stale', () => {
    file(join(tmp.path, 'shared/a.ts'), 1000);
    expect(staleOutputs(tmp.path)).toEqual([]);
    file(join(tmp.path, 'dist/shared/a.js'), 1001);
    file(join(tmp.path, 'shared/types.d.ts'), 5000); // no output of its own
    expect(staleOutputs(tmp.path)).toEqual([]);
  });

  it('names an output older than its source, a missing output, and a .proto newer than the generated code', () => {
    file(join(tmp.path, 'services/writer/x.ts'), 2000);
    file(join(tmp.path, 'dist/services/writer/x.js'), 1999);
    file(join(tmp.path, 'bench/b.ts'), 1000);
    file(join(tmp.path, 'dist/bench/.keep'), 1000);
    file(join(tmp.path, 'proto/stemedb/v1/w.proto'), 3000);
    file(join(tmp.path, 'shared/gen/.stamp'), 2999);
    const stale = staleOutputs(tmp.path);
    expect(stale).toEqual(
      expect.arrayContaining([
        { source: 'services/writer/x.ts', output: 'dist/services/writer/x.js', reason: 'older than its source' },
        { source: 'bench/b.ts', output: 'dist/bench/b.js', reason: 'missing' },
        { source: 'proto/stemedb/v1/w.proto', output: 'shared/gen/.stamp', reason: 'generated code older than the .proto' },
      ]),
    );
    expect(stale).toHaveLength(3);
    expect(staleMessage(stale)).toMatch(/dist\/services\/writer\/x\.js \(older than its source\).*\n[\s\S]*Run `make build` first/);
  });

  it('a build after the edit counts even when tsc left the unchanged output alone', () => {
    file(join(tmp.path, 'shared/a.ts'), 2000);
    file(join(tmp.path, 'dist/shared/a.js'), 1000);
    file(join(tmp.path, 'dist/.build-stamp'), 1500);
    expect(staleOutputs(tmp.path)).toHaveLength(1);
    file(join(tmp.path, 'dist/.build-stamp'), 2001);
    expect(staleOutputs(tmp.path)).toEqual([]);
  });

  it('the real tree is fresh right now (the global setup passed)', () => {
    expect(staleOutputs(join(__dirname, '..', '..'))).toEqual([]);
  });
});
