/** Temporary directories that tests clean up after themselves. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, removed by `cleanup()`. */
export function makeTempDir(prefix = 'stemedb-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A jest-scoped temp dir: a new directory before each test, removed after it.
 * Read `.path` inside the test.
 */
export function useTempDir(prefix?: string): { readonly path: string } {
  let current: { path: string; cleanup: () => void } | undefined;
  beforeEach(() => {
    current = makeTempDir(prefix);
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });
  return {
    get path(): string {
      if (current === undefined) throw new Error('useTempDir: only inside a test');
      return current.path;
    },
  };
}
