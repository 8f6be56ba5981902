/**
 * The layer picture of docs/ARCHITECTURE.md, checked against the imports:
 * which shared/ module may import which, that nothing under shared/ imports a
 * service or a client, and that the apply rules see their batch only through
 * ApplyContext (no import circle inside shared/graph/apply).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Allowed imports between the shared/ modules, as the picture draws them. */
const SHARED_ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'shared/domain': ['shared/gen'],
  'shared/wal': ['shared/domain', 'shared/telemetry'],
  'shared/lens': ['shared/domain'],
  'shared/truth': ['shared/domain', 'shared/lens'],
  'shared/query': ['shared/domain', 'shared/lens'],
  'shared/storage': ['shared/domain', 'shared/telemetry'],
  'shared/graph': ['shared/domain', 'shared/lens', 'shared/storage', 'shared/telemetry'],
  'shared/snapshot': ['shared/domain', 'shared/storage', 'shared/telemetry'],
  'shared/verify': ['shared/domain', 'shared/telemetry'],
  'shared/telemetry': [],
  'shared/grpc': ['shared/domain', 'shared/telemetry', 'shared/gen'],
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every relative import of `file`, as a path relative to the repository root. */
export function importsOf(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) out.push(relative(ROOT, normalize(join(dirname(file), m[1]!))));
  return out;
}

function moduleOf(path: string): string {
  return path.split('/').slice(0, 2).join('/');
}

/** Edges "a -> b" among the modules under shared/ that the picture does not allow. */
export function layerViolations(files: ReadonlyArray<{ path: string; source: string }>): string[] {
  const bad = new Set<string>();
  for (const { path, source } of files) {
    const from = moduleOf(relative(ROOT, path));
    for (const target of importsOf(path, source)) {
      const to = moduleOf(target);
      if (to === from) continue;
      if (to.startsWith('services/') || to.startsWith('clients/')) bad.add(`${from} -> ${to}`);
      else if (to.startsWith('shared/') && !(SHARED_ALLOWED[from] ?? []).includes(to)) bad.add(`${from} -> ${to}`);
    }
  }
  return [...bad].sort();
}

function sharedSources(): Array<{ path: string; source: string }> {
  return Object.keys(SHARED_ALLOWED)
    .filter((m) => m !== 'shared/gen')
    .flatMap((m) => tsFiles(join(ROOT, m)))
    .map((path) => ({ path, source: readFileSync(path, 'utf8') }));
}

describe('the layer picture', () => {
  it('every shared/ module imports only what docs/ARCHITECTURE.md draws below it', () => {
    expect(layerViolations(sharedSources())).toEqual([]);
  });

  it('would report a lens importing storage and a store importing a service', () => {
    const lens = join(ROOT, 'shared/lens/x.ts');
    const store = join(ROOT, 'shared/storage/y.ts');
    expect(
      layerViolations([
        { path: lens, source: "import { keys } from '../storage/keys';" },
        { path: store, source: "import { Ingestor } from '../../services/ingest/ingestor';" },
      ]),
    ).toEqual(['shared/lens -> shared/storage', 'shared/storage -> services/ingest']);
  });

  it('the apply rules see their batch through ApplyContext, never GraphBatch', () => {
    const dir = join(ROOT, 'shared/graph/apply');
    const circular = tsFiles(dir)
      .filter((f) => !f.endsWith('graph-batch.ts'))
      .filter((f) => importsOf(f, readFileSync(f, 'utf8')).includes('shared/graph/apply/graph-batch'))
      .map((f) => relative(ROOT, f));
    expect(circular).toEqual([]);
  });
});
