import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';

/** Markdown text with fenced code blocks blanked out, so links and headings shown as examples are not checked. */
function outsideCode(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker) {
      fence = marker;
      return '';
    }
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      return '';
    }
    return line;
  });
}

/** A line without its code spans: `[x](y)` inside backticks is text, not a link. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?:(?!\1).)+?\1/g, '');
}

/**
 * GitHub's heading anchor: the rendered text lower-cased, punctuation dropped (letters, digits, spaces, `-` and `_`
 * stay), spaces turned into hyphens. Links keep their text; code spans keep their content.
 */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers: its headings (repeats numbered as GitHub does) and explicit HTML ids. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideCode(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

export interface Link {
  line: number;
  target: string;
}

/** Inline links and images (`[text](target)`) and reference definitions (`[id]: target`), outside code. */
export function linksOf(text: string): Link[] {
  const links: Link[] = [];
  for (const [index, raw] of outsideCode(text).entries()) {
    const line = withoutCodeSpans(raw);
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: index + 1, target: match[1]! });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(line);
    if (definition) links.push({ line: index + 1, target: definition[1]! });
  }
  return links;
}

/** Links that leave the repository (a scheme such as `https:` or `mailto:`, or `//host`) are not checked here. */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * The broken relative links of one Markdown file, as `file:line: message`. A path must name an existing file or
 * folder (a leading `/` is the repository root, as on GitHub); an `#anchor` into a Markdown file must name one of its
 * headings.
 */
export function brokenLinks(file: string, root: string): string[] {
  const problems: string[] = [];
  const where = (link: Link) => `${relative(root, file)}:${link.line}`;
  for (const link of linksOf(readFileSync(file, 'utf8'))) {
    if (isExternal(link.target)) continue;
    const hash = link.target.indexOf('#');
    const pathPart = hash === -1 ? link.target : link.target.slice(0, hash);
    const anchor = hash === -1 ? null : decodeURIComponent(link.target.slice(hash + 1));
    const decoded = decodeURIComponent(pathPart);
    const path =
      decoded === '' ? file : decoded.startsWith('/') ? join(root, decoded) : resolve(dirname(file), decoded);
    if (!existsSync(path)) {
      problems.push(`${where(link)}: ${link.target} -> ${relative(root, path)} does not exist`);
      continue;
    }
    if (anchor === null || anchor === '' || statSync(path).isDirectory() || extname(path) !== '.md') continue;
    if (!anchorsOf(readFileSync(path, 'utf8')).has(anchor)) {
      problems.push(`${where(link)}: ${link.target} -> ${relative(root, path)} has no heading #${anchor}`);
    }
  }
  return problems;
}
