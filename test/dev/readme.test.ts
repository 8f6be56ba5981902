/** The README's "Try it" tour quotes what `make run` prints: the same commands and step titles. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_READER_LISTEN_DEFAULT, DEV_WRITER_LISTEN_DEFAULT } from '../../services/dev/limits';
import { displayPath } from '../../services/dev/run-dev';
import { OFFSET_PLACEHOLDER, renderTour, tourSteps } from '../../services/dev/tour';
import { REPO_ROOT } from '../helpers/process';

function tryItSection(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Try it\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** A command line with its offsets (as-of, min-offset) replaced by a marker: they differ per run. */
const shape = (line: string): string => line.replace(/(--as-of|--min-offset) (\d+|OFFSET)/g, '$1 N');

describe('README "Try it"', () => {
  const section = tryItSection();
  const steps = tourSteps({
    program: './stemedb',
    writer: DEV_WRITER_LISTEN_DEFAULT,
    reader: DEV_READER_LISTEN_DEFAULT,
    keyPath: displayPath(join(REPO_ROOT, 'data', 'keys', 'you.json'), REPO_ROOT),
    supersessionOffset: 0,
  });
  const printed = new Set(steps.flatMap((s) => s.commands.map((c) => shape(c.line))));

  it('every command it shows is one `make run` prints (default addresses, ./data)', () => {
    const shown = [...section.matchAll(/^(?:\$ | {2})(\.\/stemedb .*)$/gm)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThanOrEqual(5);
    for (const line of shown) expect(printed).toContain(shape(line));
  });

  it('the printed excerpt starts the way the tour does', () => {
    const firstStep = renderTour(steps).split('\n').slice(0, 2).join('\n');
    expect(section).toContain(firstStep);
  });

  it('explains OFFSET: the offset an assert printed', () => {
    expect(steps.flatMap((s) => s.commands).some((c) => c.argv.includes(OFFSET_PLACEHOLDER))).toBe(true);
    expect(section).toContain('--min-offset');
    expect(section).toMatch(/pass its `offset` as `--min-offset`/);
  });
});
