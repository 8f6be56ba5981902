/**
 * deploy/docker/Dockerfile read as instructions grouped into build stages,
 * for structural checks that dockerfilelint does not make, plus the lint itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { run as dockerfilelint } from 'dockerfilelint';

export const REPO_ROOT = resolve(__dirname, '../..');
export const DOCKERFILE = resolve(REPO_ROOT, 'deploy/docker/Dockerfile');
export const DOCKERIGNORE = resolve(REPO_ROOT, '.dockerignore');

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

export interface Stage {
  readonly from: Instruction;
  /** The base image reference (`node:20.20.2-bookworm-slim`). */
  readonly image: string;
  /** The `AS name`, if any. */
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** The instructions of a Dockerfile (comments and blank lines dropped, `\` continuations joined). */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return;
    if (pending === '') start = i + 1;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const space = full.search(/\s/);
    out.push({ keyword: (space < 0 ? full : full.slice(0, space)).toUpperCase(), args: space < 0 ? '' : full.slice(space + 1).trim(), line: start });
  });
  return out;
}

/** Instructions grouped by FROM; instructions before the first FROM (global ARGs) are dropped. */
export function stages(instructions: readonly Instruction[]): Stage[] {
  const out: Array<{ from: Instruction; image: string; name: string | undefined; instructions: Instruction[] }> = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      out.push({ from: ins, image: words[0] ?? '', name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else if (out.length > 0) {
      out[out.length - 1]!.instructions.push(ins);
    }
  }
  return out;
}

/** The exec-form (JSON array) arguments of ENTRYPOINT/CMD, or undefined for shell form. */
export function execForm(ins: Instruction | undefined): string[] | undefined {
  if (ins === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(ins.args);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** dockerfilelint's findings for a Dockerfile text, as `line: rule: title`. */
export function lintDockerfile(text: string, configDir = dirname(DOCKERFILE)): string[] {
  return dockerfilelint(configDir, text).map((item) => `${item.line}: ${item.rule}: ${item.title}`);
}

export function readDockerfile(): string {
  return readFileSync(DOCKERFILE, 'utf8');
}

/** The patterns of a .dockerignore file (comments and blank lines dropped). */
export function dockerignorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
