/**
 * The commands `stemedb dev` suggests, with the real addresses and offsets:
 * as argv arrays (for `--json` and tests) and as copy-pasteable lines. Pure.
 */
import { DEMO_PAIRS } from './demo-graph';

/** Stands for the offset the previous command of the step printed. */
export const OFFSET_PLACEHOLDER = 'OFFSET';

export interface TourCommand {
  /** Arguments after the program, e.g. ['resolve', '--reader', ...]. */
  readonly argv: readonly string[];
  /** The line to paste: the program, then the quoted argv. */
  readonly line: string;
  /** True when `argv` holds OFFSET_PLACEHOLDER, to be replaced with the `offset:` the previous command printed. */
  readonly offsetFromPrevious: boolean;
}

export interface TourStep {
  readonly title: string;
  readonly commands: readonly TourCommand[];
}

export interface TourInput {
  /** How to run the CLI from the user's directory, e.g. './stemedb'. */
  readonly program: string;
  readonly writer: string;
  readonly reader: string;
  /** Key file for the user's own claims, as the user should type it. */
  readonly keyPath: string;
  /** Offset of the demo's superseding assertion; undefined when the log holds no demo graph. */
  readonly supersessionOffset: number | undefined;
}

/** Quote an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function tourSteps(input: TourInput): TourStep[] {
  const cmd = (argv: string[]): TourCommand => ({ argv, line: [input.program, ...argv].map(shellQuote).join(' '), offsetFromPrevious: argv.includes(OFFSET_PLACEHOLDER) });
  const pair = (p: { subject: string; predicate: string }): string[] => ['--subject', p.subject, '--predicate', p.predicate];
  const resolve = (p: { subject: string; predicate: string }, ...more: string[]): TourCommand => cmd(['resolve', '--reader', input.reader, ...pair(p), ...more]);
  const { myanmar, lagos, pluto } = DEMO_PAIRS;
  const yours: TourStep = {
    title: 'Write a claim of your own, then read your write back: pass the offset the assert printed as --min-offset',
    commands: [
      cmd(['assert', '--writer', input.writer, '--key', input.keyPath, ...pair(lagos), '--object', '15388000', '--type', 'integer', '--confidence', '0.9']),
      resolve(lagos, '--min-offset', OFFSET_PLACEHOLDER),
    ],
  };
  const status: TourStep = { title: 'How the writer and the reader are doing: head, applied offset, lag', commands: [cmd(['status', '--writer', input.writer, '--reader', input.reader])] };
  if (input.supersessionOffset === undefined) return [status, yours];
  return [
    { title: "Myanmar's capital under Consensus, the default lens: two stale claims outnumber the current one", commands: [resolve(myanmar)] },
    { title: 'Why: every candidate with the terms of its score', commands: [cmd(['explain', '--reader', input.reader, ...pair(myanmar)])] },
    { title: 'Recency: the newest claim wins', commands: [resolve(myanmar, '--lens', 'recency')] },
    { title: 'Authority: signers weighted by the trust they earned against gold standards', commands: [resolve(myanmar, '--lens', 'authority')] },
    { title: "Lagos' population: two sources too close to call — contested", commands: [resolve(lagos)] },
    { title: "Time travel: Pluto before alice corrected her claim (without --as-of: 'dwarf planet')", commands: [resolve(pluto, '--as-of', String(input.supersessionOffset))] },
    status,
    yours,
  ];
}

/** The steps as the terminal shows them: a numbered comment, then the lines. */
export function renderTour(steps: readonly TourStep[]): string {
  return steps.map((s, i) => [`  # ${i + 1}. ${s.title}`, ...s.commands.map((c) => `  ${c.line}`)].join('\n')).join('\n\n');
}
