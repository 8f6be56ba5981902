import { readFileSync } from 'node:fs';
import { contextProblems, dockerfileProblems, ignored } from './dockerfile-checks';
import { DOCKERIGNORE, REPO_ROOT, dockerignorePatterns, lintDockerfile, parseInstructions, readDockerfile, stages } from './dockerfile';

const dockerfile = readDockerfile();
const patterns = dockerignorePatterns(readFileSync(DOCKERIGNORE, 'utf8'));

/** The Dockerfile with one literal replacement; fails loudly if the text is not there. */
function withReplaced(from: string | RegExp, to: string): string {
  const out = dockerfile.replace(from, to);
  if (out === dockerfile) throw new Error(`'${String(from)}' not found in the Dockerfile`);
  return out;
}

describe('deploy/docker/Dockerfile', () => {
  test('passes dockerfilelint', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  test('is a pinned multi-stage build with a non-root runtime running the stemedb command', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
    expect(stages(parseInstructions(dockerfile)).map((s) => s.name)).toEqual(['build', 'runtime']);
  });

  test('builds from a context that has every file it copies and none of the local build output', () => {
    expect(contextProblems(dockerfile, patterns, REPO_ROOT)).toEqual([]);
  });
});

describe('the Dockerfile checks catch what they guard against', () => {
  test('dockerfilelint reports a :latest base image and lower-case instructions', () => {
    expect(lintDockerfile(withReplaced(/FROM node:[^ ]+ AS runtime/, 'FROM node:latest AS runtime'))).toEqual([expect.stringMatching(/latest_tag/)]);
    expect(lintDockerfile(withReplaced('WORKDIR /app\n# Depend', 'workdir /app\n# Depend'))).toEqual([expect.stringMatching(/uppercase_commands/)]);
  });

  test('a single-stage build is refused', () => {
    const single = 'FROM node:20.20.2-bookworm-slim\nUSER 1000\nENTRYPOINT ["node", "dist/services/cli/main.js"]\n';
    expect(dockerfileProblems(single)).toEqual([expect.stringMatching(/multi-stage/)]);
  });

  test('an untagged, latest or variable base image is refused', () => {
    expect(dockerfileProblems(withReplaced(/FROM node:[^ ]+ AS build/, 'FROM node AS build'))).toEqual(expect.arrayContaining([expect.stringMatching(/'node' must be pinned/)]));
    expect(dockerfileProblems(withReplaced(/FROM node:[^ ]+ AS build/, 'FROM ${BASE} AS build'))).toEqual(expect.arrayContaining([expect.stringMatching(/must be pinned/)]));
  });

  test('an Alpine runtime or mismatched stages are refused', () => {
    const problems = dockerfileProblems(withReplaced(/FROM node:[^ ]+ AS runtime/, 'FROM node:20.20.2-alpine AS runtime'));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/musl-based/), expect.stringMatching(/same base image/)]));
  });

  test('a root or missing USER in the final stage is refused', () => {
    expect(dockerfileProblems(withReplaced('USER 1000:1000', 'USER root'))).toEqual([expect.stringMatching(/runs as root/)]);
    expect(dockerfileProblems(withReplaced('USER 1000:1000', 'USER 0:0'))).toEqual([expect.stringMatching(/runs as root/)]);
    expect(dockerfileProblems(withReplaced('USER 1000:1000\n', ''))).toEqual([expect.stringMatching(/must set a non-root USER/)]);
  });

  test('a shell-form entry point, another command or a missing STOPSIGNAL is refused', () => {
    expect(dockerfileProblems(withReplaced('ENTRYPOINT ["node", "dist/services/cli/main.js"]', 'ENTRYPOINT node dist/services/cli/main.js'))).toEqual([expect.stringMatching(/ENTRYPOINT must be the exec form/)]);
    expect(dockerfileProblems(withReplaced('CMD ["--help"]', 'CMD ["writer"]'))).toEqual([expect.stringMatching(/CMD must be/)]);
    expect(dockerfileProblems(withReplaced('STOPSIGNAL SIGTERM\n', ''))).toEqual([expect.stringMatching(/STOPSIGNAL must be SIGTERM/)]);
  });

  test('dev dependencies left in node_modules are refused', () => {
    expect(dockerfileProblems(withReplaced(' \\\n && npm prune --omit=dev --no-audit --no-fund', ''))).toEqual([expect.stringMatching(/must drop dev dependencies/)]);
  });

  test('sources or a context copy in the runtime stage are refused', () => {
    expect(dockerfileProblems(withReplaced('COPY --from=build /app/dist ./dist', 'COPY --from=build /app/dist ./dist\nCOPY --from=build /app/shared ./shared'))).toEqual([expect.stringMatching(/not \/app\/shared/)]);
    expect(dockerfileProblems(withReplaced('COPY --from=build /app/dist ./dist', 'COPY dist ./dist'))).toEqual([expect.stringMatching(/copies only from the build stage/)]);
  });

  test('a COPY of an ignored or missing path is refused', () => {
    expect(contextProblems(dockerfile, [...patterns, 'services'], REPO_ROOT)).toEqual([expect.stringMatching(/COPY source \.\/services is excluded|COPY source services is excluded/)]);
    expect(contextProblems(withReplaced('COPY bench ./bench', 'COPY benches ./bench'), patterns, REPO_ROOT)).toEqual([expect.stringMatching(/benches does not exist/)]);
  });

  test('a .dockerignore that lets node_modules in is refused', () => {
    expect(contextProblems(dockerfile, patterns.filter((p) => p !== 'node_modules'), REPO_ROOT)).toEqual([expect.stringMatching(/must exclude node_modules/)]);
  });

  test('.dockerignore patterns match the path and everything under it', () => {
    expect(ignored('bench/scratch', ['bench/scratch'])).toBe(true);
    expect(ignored('bench/scratch/x.bin', ['bench/scratch'])).toBe(true);
    expect(ignored('bench', ['bench/scratch'])).toBe(false);
    expect(ignored('app.log', ['*.log'])).toBe(true);
    expect(ignored('distant', ['dist'])).toBe(false);
  });
});

describe('Dockerfile parsing', () => {
  test('continuation lines join into one instruction at the line it starts', () => {
    const ins = parseInstructions('FROM a:1 AS b\n# note\nRUN one \\\n  && two\nCMD ["x"]\n');
    expect(ins).toEqual([
      { keyword: 'FROM', args: 'a:1 AS b', line: 1 },
      { keyword: 'RUN', args: 'one  && two', line: 3 },
      { keyword: 'CMD', args: '["x"]', line: 5 },
    ]);
  });
});
