// Keeps the repository's documents standing on their own:
// - every relative link and #anchor in README.md, DEVELOPERS.md, CHANGELOG.md and docs/*.md
//   resolves (anchors by GitHub's heading slugs), and
// - no source file cites sections of a design document that is not in the repository: the code
//   points at docs/ instead.
//   node --import tsx scripts/check-docs.ts      prints what does not hold, exit 1 if anything
// test/docs.test.ts runs both checks in the test suite.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** The documents whose links must resolve, relative to the repository root. */
export function documentFiles(root = REPO_ROOT): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'DEVELOPERS.md', 'CHANGELOG.md', ...docs.sort()];
}

/** Lines outside fenced code blocks, with inline code spans blanked (links in code are not links). */
function proseLines(markdown: string): string[] {
  let inFence = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      return '';
    }
    return inFence ? '' : line.replace(/`[^`]*`/g, '``');
  });
}

/**
 * GitHub's anchor for a heading: the heading's text (markup and link targets dropped), lower
 * case, anything but letters, digits, spaces, `-` and `_` removed, spaces turned into `-`.
 */
export function headingSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a document; a repeated heading gets `-1`, `-2`, ... as on GitHub. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = headingSlug(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of the inline links and images of a document that point into the repository. */
export function relativeLinksOf(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) targets.push(target);
    }
  }
  return targets;
}

/** Why a link from `fromFile` (relative to the root) does not resolve, or null when it does. */
export function brokenLink(fromFile: string, target: string, root = REPO_ROOT): string | null {
  const [rawPath, anchor] = target.split('#', 2);
  const linkedPath = decodeURIComponent(rawPath);
  const file = linkedPath === '' ? path.join(root, fromFile) : path.resolve(root, path.dirname(fromFile), linkedPath);
  if (!file.startsWith(root + path.sep) && file !== root) return 'points outside the repository';
  if (!existsSync(file)) return 'no such file';
  if (anchor === undefined || anchor === '') return null;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return 'an anchor on something that is not a document';
  return anchorsOf(readFileSync(file, 'utf8')).has(anchor) ? null : `no heading with the anchor #${anchor}`;
}

export interface Problem {
  file: string;
  problem: string;
}

/** Every link of the documents that does not resolve. */
export function brokenDocumentLinks(root = REPO_ROOT): Problem[] {
  return documentFiles(root).flatMap((file) =>
    relativeLinksOf(readFileSync(path.join(root, file), 'utf8')).flatMap((target) => {
      const why = brokenLink(file, target, root);
      return why ? [{ file, problem: `${target}: ${why}` }] : [];
    }),
  );
}

/** The folders whose files must not cite the design document (web/ is the UI's source). */
export const SOURCE_FOLDERS = ['src', 'test', 'scripts', 'bench', 'web'];
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'results', '.peer']);
// A section number after the word, or the document's file name (written so that this file does
// not match itself).
const DESIGN_CITATION = new RegExp(['\\bS', 'PEC\\s*§?\\s*\\d', '|', 'S', 'PEC\\.md'].join(''));

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED_FOLDERS.has(entry.name)) return [];
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesBelow(file);
    return /\.(ts|tsx|js|mjs|cjs|sh|py|css|html)$/.test(entry.name) ? [file] : [];
  });
}

/** Every line of the source folders that cites the design document instead of docs/. */
export function designDocumentCitations(root = REPO_ROOT): Problem[] {
  return SOURCE_FOLDERS.flatMap((folder) => filesBelow(path.join(root, folder))).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) =>
        DESIGN_CITATION.test(line)
          ? [{ file: `${path.relative(root, file)}:${index + 1}`, problem: line.trim() }]
          : [],
      ),
  );
}

if (import.meta.filename === process.argv[1]) {
  const problems = [...brokenDocumentLinks(), ...designDocumentCitations()];
  for (const { file, problem } of problems) console.log(`${file}: ${problem}`);
  console.log(problems.length === 0 ? 'docs: every link resolves, no design citations' : `${problems.length} problems`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
