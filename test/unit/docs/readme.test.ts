/**
 * The README stays short and every page it and docs/ link to exists: a person who follows a link
 * finds what it promises.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../../helpers/cli.js';

const pages = [
  'README.md',
  ...readdirSync(path.join(projectRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The headings of a page as GitHub anchors them. */
function anchors(text: string): string[] {
  return [...text.matchAll(/^#+ (.+)$/gm)].map((m) =>
    m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-'),
  );
}

describe('the README and docs/', () => {
  it('Given the README, When its lines are counted, Then it stays at most 200 (the details live in docs/)', () => {
    expect(readFileSync(path.join(projectRoot, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(200);
  });

  it('Given every relative link in the README and docs/, When followed, Then the file (and the heading) exists', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(path.join(projectRoot, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!) || target!.startsWith('#')) continue;
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = path.resolve(projectRoot, path.dirname(page), file);
        if (!existsSync(resolved)) broken.push(`${page}: ${target}`);
        else if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).includes(anchor))
          broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
