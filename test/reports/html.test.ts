import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { lineChart } from '../../reports/charts.ts';
import { renderHtml } from '../../reports/write-html.ts';
import { writeReport } from '../../reports/write-report.ts';
import { sampleSummary } from './fixtures.ts';

// SESSIONPROOF_CHROMIUM points at another Chromium build (a Chrome on a laptop); otherwise Debian's package.
const candidates = process.env['SESSIONPROOF_CHROMIUM']
  ? [process.env['SESSIONPROOF_CHROMIUM']]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const chromium = candidates.find((path) => existsSync(path));
const requireBrowser = process.env['SESSIONPROOF_REQUIRE_BROWSER'] === '1';

/** Runs headless Chromium on a page with a fresh profile and no background traffic; returns stdout. */
async function headless(args: string[], url: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'sessionproof-chromium-'));
  try {
    const { stdout } = await promisify(execFile)(
      chromium!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...args,
        url,
      ],
      { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('HTML report', () => {
  it('is one self-contained page: no fetched resource, a policy that forbids fetching, the verdict first', () => {
    const html = renderHtml(sampleSummary({ failingProperty: 'cleanup' }));
    const withoutNamespaces = html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(src|href)\s*=/);
    expect(html).not.toMatch(/url\(|@import/);
    expect(html).toContain(`content="default-src 'none';`);
    expect(html.indexOf('<header class="verdict fail"><h1>FAIL: ')).toBeLessThan(html.indexOf('<svg'));
  });

  it('says on each checked scenario counter what a failure means', () => {
    const html = renderHtml(sampleSummary({ lostUpdates: 2 }));
    expect(html).toContain(
      '<span class="chip fail" title="a failure means adds the server acknowledged are missing from the final carts">lost updates 2 (== 0)</span>',
    );
  });

  it('draws each chart from the data: latency and throughput per scenario, phases, refresh calls, bench ratios', () => {
    const s = sampleSummary();
    const html = renderHtml(s);
    const charts = [...html.matchAll(/<svg class="chart" data-chart="([^"]+)" data-points="(\d+)"/g)].map(
      (m) => [m[1], Number(m[2])] as const,
    );
    const kinds = charts.map(([kind]) => kind);
    expect(kinds.filter((k) => k === 'latency-over-time')).toHaveLength(s.scenarios!.length);
    expect(kinds.filter((k) => k === 'throughput-over-time')).toHaveLength(s.scenarios!.length);
    expect(kinds).toEqual(expect.arrayContaining(['phases', 'phases-p99', 'distribution', 'bench-ratios']));
    for (const [kind, points] of charts) expect(points, kind).toBeGreaterThan(0);
    const storm = s.scenarios!.find((x) => x.scenario === 'refresh-storm')!;
    const p99 = [...html.matchAll(/data-series="p99" points="([^"]+)"/g)][0]![1]!.split(' ');
    expect(p99).toHaveLength(storm.timeSeries.length);
    expect(html).toContain('refresh-storm/memory: refresh calls per client');
    expect((html.match(/<td class="cell detected"/g) ?? []).length).toBe(
      s.zoo!.faults.flatMap((f) => Object.values(f.outcomes)).filter((o) => o === 'detected').length,
    );
  });

  it('puts the label of a band that starts under the previous label on a line of its own', () => {
    const labels = (bands: { from: number; to: number; label: string }[]) =>
      [
        ...lineChart({
          kind: 'k',
          title: 't',
          xLabel: 's',
          yLabel: 'req/s',
          series: [
            {
              name: 'a',
              color: '#000',
              points: [
                [0, 1],
                [60, 1],
              ],
            },
          ],
          bands,
        }).matchAll(/class="band-label" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</g),
      ].map(([, x, y, text]) => ({ x: Number(x), y: Number(y), text }));
    const [during, after] = labels([
      { from: 20, to: 21, label: 'during-sweep' },
      { from: 21, to: 60, label: 'after-sweep' },
    ]);
    expect(after!.x - during!.x).toBeLessThan(6 * during!.text!.length);
    expect(after!.y).toBeGreaterThan(during!.y);
    const [early, late] = labels([
      { from: 0, to: 20, label: 'during-sweep' },
      { from: 40, to: 60, label: 'after-sweep' },
    ]);
    expect(late!.y).toBe(early!.y);
  });

  it('renders in headless Chromium with every chart drawn, and leaves a screenshot', async (context) => {
    if (!chromium) {
      const message = `chromium not found at ${candidates.join(' or ')} (apt-get install -y chromium): browser test skipped`;
      if (requireBrowser) throw new Error(`${message}, but SESSIONPROOF_REQUIRE_BROWSER=1`);
      console.warn(`SKIPPED: ${message}`);
      context.skip(message);
      return;
    }
    const summary = sampleSummary({ runId: 'browser-test', failingProperty: 'no-lost-updates', lostUpdates: 2 });
    const files = await writeReport(summary);
    const url = pathToFileURL(files.html).href;

    const dom = await headless(['--dump-dom'], url);
    const body = /<body data-charts="(\d+)" data-charts-rendered="(\d+)"/.exec(dom);
    expect(body, 'the page script ran and counted the charts').not.toBeNull();
    const [, total, rendered] = body!.map(Number);
    expect(total).toBeGreaterThanOrEqual(12);
    expect(rendered).toBe(total);
    expect(dom).not.toContain('data-rendered="no"');

    const screenshot = join(files.dir, 'screenshot.png');
    await headless([`--screenshot=${screenshot}`, '--window-size=1280,2000'], url);
    const png = await readFile(screenshot);
    expect(pngSize(png)).toEqual({ width: 1280, height: 2000 });
    expect(png.length).toBeGreaterThan(50_000);
    console.log(`report screenshot: ${screenshot}`);
  }, 120_000);
});
