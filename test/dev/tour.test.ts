/** The suggested commands and the paths `stemedb dev` prints. */
import { join, sep } from 'node:path';
import { OFFSET_PLACEHOLDER, renderTour, shellQuote, tourSteps, type TourInput } from '../../services/dev/tour';
import { displayPath, programName } from '../../services/dev/run-dev';
import { CLI, REPO_ROOT } from '../helpers/process';

const INPUT: TourInput = { program: './stemedb', writer: '127.0.0.1:7070', reader: '127.0.0.1:7071', keyPath: 'data/keys/you.json', supersessionOffset: 2520 };

describe('tour', () => {
  it('with the demo: 5 to 8 steps that use the real addresses', () => {
    const steps = tourSteps(INPUT);
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps.length).toBeLessThanOrEqual(8);
    for (const c of steps.flatMap((s) => s.commands)) {
      const flag = c.argv[0] === 'assert' ? '--writer' : c.argv[0] === 'status' ? '--writer' : '--reader';
      expect(c.argv[c.argv.indexOf(flag) + 1]).toBe(flag === '--writer' ? INPUT.writer : INPUT.reader);
      expect(c.line).toBe(['./stemedb', ...c.argv].join(' '));
    }
  });

  it('covers resolve, explain, each lens, time travel at the supersession offset, status and read-your-writes', () => {
    const argvs = tourSteps(INPUT).flatMap((s) => s.commands.map((c) => c.argv.join(' ')));
    expect(argvs.some((a) => a.startsWith('explain '))).toBe(true);
    expect(argvs.some((a) => a.includes('--lens recency'))).toBe(true);
    expect(argvs.some((a) => a.includes('--lens authority'))).toBe(true);
    expect(argvs.some((a) => a.includes('--as-of 2520'))).toBe(true);
    expect(argvs.some((a) => a.startsWith('status --writer 127.0.0.1:7070 --reader 127.0.0.1:7071'))).toBe(true);
    expect(argvs.some((a) => a.startsWith('assert ') && a.includes('--key data/keys/you.json'))).toBe(true);
  });

  it('only the command after an assert waits for its offset, and says so', () => {
    const commands = tourSteps(INPUT).flatMap((s) => s.commands);
    const waiting = commands.filter((c) => c.offsetFromPrevious);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.argv).toContain('--min-offset');
    expect(waiting[0]!.argv[waiting[0]!.argv.indexOf('--min-offset') + 1]).toBe(OFFSET_PLACEHOLDER);
    expect(commands[commands.indexOf(waiting[0]!) - 1]!.argv[0]).toBe('assert');
  });

  it('without the demo graph: only status and your own write', () => {
    const steps = tourSteps({ ...INPUT, supersessionOffset: undefined });
    expect(steps.flatMap((s) => s.commands.map((c) => c.argv[0]))).toEqual(['status', 'assert', 'resolve']);
  });

  it('renders numbered steps, a comment line then the commands', () => {
    const text = renderTour(tourSteps(INPUT));
    expect(text.split('\n')[0]).toMatch(/^ {2}# 1\. /);
    expect(text).toContain('\n  ./stemedb resolve --reader 127.0.0.1:7071 --subject country:myanmar --predicate capital\n');
  });

  it('quotes arguments the shell would split or expand', () => {
    expect(shellQuote('country:myanmar')).toBe('country:myanmar');
    expect(shellQuote('dwarf planet')).toBe("'dwarf planet'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});

describe('paths as the user types them', () => {
  it('./relative inside the working directory, absolute outside it', () => {
    expect(displayPath('./data/keys/you.json', '/repo')).toBe(`.${sep}${join('data', 'keys', 'you.json')}`);
    expect(displayPath('/repo/data', '/repo')).toBe(`.${sep}data`);
    expect(displayPath('/repo', '/repo')).toBe('.');
    expect(displayPath('/tmp/x', '/repo')).toBe('/tmp/x');
  });

  it('the program is ./stemedb at the repository root and node <main.js> elsewhere', () => {
    expect(programName(REPO_ROOT, CLI)).toBe('./stemedb');
    expect(programName(join(REPO_ROOT, 'docs'), CLI)).toBe(`node ${CLI}`);
    expect(programName('/', CLI)).toBe(`node .${CLI}`);
  });
});
