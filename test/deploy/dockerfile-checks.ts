/**
 * Structural checks of deploy/docker/Dockerfile and .dockerignore: a
 * multi-stage build on one pinned Debian Node image, dev dependencies pruned,
 * a non-root final stage whose entry point is the `stemedb` command, and a
 * build context that has every file the build copies and nothing local it
 * must not (node_modules, dist, data). Each returns readable problem lines.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execForm, parseInstructions, stages, type Instruction, type Stage } from './dockerfile';

export const ENTRYPOINT = ['node', 'dist/services/cli/main.js'];
export const DEFAULT_CMD = ['--help'];
export const SERVICE_PORTS = ['7070', '7071'];
/** What the build context must never carry in from a developer's checkout. */
export const MUST_IGNORE = ['node_modules', 'dist', 'data', 'bench/scratch', '.git'];
/** All the runtime stage takes from the build: compiled code, production modules, package.json. */
export const RUNTIME_FILES = ['/app/package.json', '/app/node_modules', '/app/dist'];

function last(stage: Stage, keyword: string): Instruction | undefined {
  return [...stage.instructions].reverse().find((i) => i.keyword === keyword);
}

function isPinned(image: string): boolean {
  if (image.includes('$')) return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const nameAndTag = image.split('/').pop() ?? '';
  const colon = nameAndTag.indexOf(':');
  return colon > 0 && nameAndTag.slice(colon + 1) !== 'latest';
}

/** `COPY [--from=x] [--chown=..] src... dest` → its flags and sources. */
function copyParts(ins: Instruction): { from: string | undefined; sources: string[] } {
  const words = ins.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1) };
}

export function dockerfileProblems(text: string): string[] {
  const all = stages(parseInstructions(text));
  const problems: string[] = [];
  if (all.length < 2) return [`expected a multi-stage build (build, then runtime), found ${all.length} stage(s)`];
  for (const s of all) {
    if (!isPinned(s.image)) problems.push(`line ${s.from.line}: base image '${s.image}' must be pinned to a tag other than latest (or a digest)`);
    if (/alpine/.test(s.image)) problems.push(`line ${s.from.line}: '${s.image}' is musl-based; the native modules ship glibc binaries`);
  }
  const images = new Set(all.map((s) => s.image));
  if (images.size !== 1) problems.push(`all stages must use the same base image (native modules built and run against one Node and glibc), found ${[...images].join(', ')}`);

  const final = all[all.length - 1]!;
  const user = last(final, 'USER')?.args;
  if (user === undefined) problems.push('the final stage must set a non-root USER');
  else if (/^(root|0)(:|$)/.test(user)) problems.push(`the final stage runs as root ('USER ${user}')`);
  if (last(final, 'WORKDIR')?.args !== '/app') problems.push('the final stage must have WORKDIR /app');
  if (JSON.stringify(execForm(last(final, 'ENTRYPOINT'))) !== JSON.stringify(ENTRYPOINT)) problems.push(`ENTRYPOINT must be the exec form ${JSON.stringify(ENTRYPOINT)}`);
  if (JSON.stringify(execForm(last(final, 'CMD'))) !== JSON.stringify(DEFAULT_CMD)) problems.push(`CMD must be ${JSON.stringify(DEFAULT_CMD)}`);
  if (last(final, 'STOPSIGNAL')?.args !== 'SIGTERM') problems.push('STOPSIGNAL must be SIGTERM (the services drain on it)');
  const exposed = final.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map((p) => p.split('/')[0]!));
  for (const p of SERVICE_PORTS) if (!exposed.includes(p)) problems.push(`the final stage must EXPOSE ${p}`);

  for (const ins of final.instructions) {
    if (ins.keyword === 'RUN' && /\b(npm (ci|install|i)|make)\b/.test(ins.args)) problems.push(`line ${ins.line}: the runtime stage must not install or build (${ins.args})`);
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const { from, sources } = copyParts(ins);
    if (from === undefined) {
      problems.push(`line ${ins.line}: the runtime stage copies only from the build stage, not the context (${ins.args})`);
      continue;
    }
    if (!all.slice(0, -1).some((s) => s.name === from)) problems.push(`line ${ins.line}: --from=${from} names no earlier stage`);
    for (const src of sources) if (!RUNTIME_FILES.includes(src.replace(/\/$/, ''))) problems.push(`line ${ins.line}: the runtime stage takes only ${RUNTIME_FILES.join(', ')} from the build, not ${src}`);
  }
  const nodeModulesFrom = final.instructions.map(copyParts).find((c) => c.sources.some((s) => s.endsWith('/node_modules')))?.from;
  const builder = all.find((s) => s.name === nodeModulesFrom);
  if (builder === undefined) problems.push('the runtime stage must copy node_modules from a build stage');
  else if (!builder.instructions.some((i) => i.keyword === 'RUN' && /npm (prune|ci)\b.*--omit=dev/.test(i.args))) {
    problems.push(`stage '${builder.name}' must drop dev dependencies (npm prune --omit=dev) before node_modules is copied`);
  }
  return problems;
}

/** Whether `path` (relative to the context) is excluded by one of the .dockerignore patterns (plain paths and `*` globs). */
export function ignored(path: string, patterns: readonly string[]): boolean {
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  return patterns.some((p) => {
    const re = new RegExp('^' + p.replace(/^\//, '').replace(/\/$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '(/.*)?$');
    return re.test(clean);
  });
}

/** The build context: the files the build copies exist and are not ignored; what must not leak in is ignored. */
export function contextProblems(text: string, patterns: readonly string[], repoRoot: string): string[] {
  const problems: string[] = [];
  for (const p of MUST_IGNORE) if (!ignored(p, patterns)) problems.push(`.dockerignore must exclude ${p}`);
  for (const ins of parseInstructions(text)) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const { from, sources } = copyParts(ins);
    if (from !== undefined) continue;
    for (const src of sources) {
      if (!existsSync(join(repoRoot, src))) problems.push(`line ${ins.line}: COPY source ${src} does not exist in the repository`);
      else if (ignored(src, patterns)) problems.push(`line ${ins.line}: COPY source ${src} is excluded by .dockerignore`);
    }
  }
  return problems;
}
