/**
 * Worked examples the docs carry as fenced blocks after a marker comment
 * (`<!-- name -->`), so tests can check the code writes exactly what the docs
 * show.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './process';

/** The text of the fenced block after `<!-- marker -->` in `docs/<file>`. */
export function docBlock(file: string, marker: string): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', file), 'utf8');
  const at = doc.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`docs/${file} has no ${marker} block`);
  const open = doc.indexOf('```', at);
  const start = doc.indexOf('\n', open) + 1;
  return doc.slice(start, doc.indexOf('```', start));
}

/** The hex of a block of hex lines with `#` comments (comments, spaces and line breaks dropped). */
export function docHex(file: string, marker: string): string {
  return docBlock(file, marker)
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
}
