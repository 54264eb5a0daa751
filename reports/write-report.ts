import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunSummary } from './schema.ts';
import { validateSummary } from './validate.ts';
import { writeHtml } from './write-html.ts';
import { writeJson } from './write-json.ts';
import { writeJunit } from './write-junit.ts';
import { writeMarkdown } from './write-markdown.ts';

/**
 * Where every run's folder goes unless told otherwise: reports/out/ under the current directory, so the checkout's
 * own for `npm start`, and the user's project (not node_modules) for an installed sessionproof.
 */
const defaultOutRoot = (): string => resolve('reports', 'out');

export interface ReportFiles {
  dir: string;
  json: string;
  markdown: string;
  junit: string;
  html: string;
}

/** Writes summary.json, summary.md, junit.xml and index.html into `<root>/<run id>/` and returns where they are. */
export async function writeReport(
  summary: RunSummary,
  options: { root?: string; dir?: string } = {},
): Promise<ReportFiles> {
  validateSummary(summary);
  const dir = resolve(options.dir ?? join(options.root ?? defaultOutRoot(), summary.run.id));
  await mkdir(dir, { recursive: true });
  const [json, markdown, junit, html] = await Promise.all([
    writeJson(summary, dir),
    writeMarkdown(summary, dir),
    writeJunit(summary, dir),
    writeHtml(summary, dir),
  ]);
  return { dir, json, markdown, junit, html };
}
