import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../cli/collect.ts';
import { progressReporter } from '../../cli/progress.ts';
import { unitId } from '../../shared/config.ts';
import type { Progress } from '../../shared/engine/collect.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { tempDirs } from '../support/tmp.ts';

// What `npm run collect` shows: a progress line per stream with that stream's own rows and, where the API tells
// the list's total (Jira PageBean `total`), a percentage; then one summary table with thousands separators.
const tmp = tempDirs('collect-output');
const env = { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken };
const http = { timeoutMs: 2000, retry: { baseDelayMs: 5, maxDelayMs: 10, maxRetries: 2 } };
const n = (v: number) => v.toLocaleString('en-US');

async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => out.push(String(c)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => err.push(String(c)) > 0) as typeof process.stderr.write;
  try {
    return { result: await fn(), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

describe('npm run collect, as the user sees it', () => {
  const tenant = jiraTenant({ seed: 43, users: 1200, groups: 130, memberships: 400, projects: 3 });
  let sim: Simulator;
  let run: { result: Awaited<ReturnType<typeof runCollect>>; stdout: string; stderr: string };
  beforeAll(async () => {
    sim = await startSimulator({ products: [tenant], seed: 43 });
    const out = await tmp();
    run = await capture(() => runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', '2026-11-28'], { env, http }));
  }, 120_000);
  afterAll(async () => sim.close());

  it('shows each stream with its own rows, and a percentage of the total where the API tells it', () => {
    const truth = tenant.groundTruth();
    const groups = (truth.jira_groups ?? []).length;
    const lines = run.stderr.split('\n').filter((l) => l.includes('│ unit:'));
    const firstGroups = lines.find((l) => /\s groups\s/.test(l));
    // The groups stream's first page: its own rows, then how far through the PageBean's total it is.
    expect(firstGroups).toMatch(new RegExp(`\\s groups\\s+[\\d,]+ rows\\s+\\d+ % of ${n(groups)}  │ unit: [\\d,]+ rows, [\\d,]+ pages, [\\d,]+ requests$`));
    const ownRows = Number(/groups\s+([\d,]+) rows/.exec(firstGroups ?? '')?.[1]?.replace(/,/g, ''));
    const pct = Number(/(\d+) % of/.exec(firstGroups ?? '')?.[1]);
    expect(pct).toBe(Math.floor((ownRows / groups) * 100));
    // users/search is a bare array: no total, so no percentage, only its rows.
    expect(lines.find((l) => /\s users\s/.test(l))).toMatch(/\s users\s+[\d,]+ rows  │ unit:/);
  });

  it('ends with one summary table: the unit, its rows, requests, retries, 429s, repeats dropped and duration', () => {
    const truth = tenant.groundTruth();
    const rows = Object.values(truth).reduce((a, t) => a + t.length, 0) + 1; // + the unit's collector_units row
    const stats = run.result.outcomes[0]?.stats;
    const table = run.stdout.split('\n');
    const head = table.findIndex((l) => l.startsWith('unit'));
    expect(table[head]).toMatch(/^unit\s+status\s+rows\s+invocations\s+requests\s+retries\s+429s\s+repeats dropped\s+duration$/);
    expect(table[head + 1]).toMatch(/^─+(  ─+){8}$/);
    const unit = unitId({ org: 'acme', product: 'jira', siteUrl: sim.url, auth: { kind: 'basic', secretName: 'x' } });
    expect(table[head + 2]?.split(/\s{2,}/)).toEqual([unit, 'ok', n(rows), '1', n(stats?.requests ?? -1), n(stats?.retries ?? -1), n(stats?.throttled ?? -1), '0', expect.stringMatching(/^\d+\.\d s$/)]);
    expect(rows).toBeGreaterThan(1000); // the separator is really shown
    expect(table[head + 2]).toContain(n(rows));
  });
});

describe('progress lines', () => {
  const page = (stream: string, items: number, total?: number): Progress => ({ unit: 'acme/jira/acme.atlassian.net', stream, items, streamRows: items * 2, pages: 1, rows: 0, requests: 1, ...(total !== undefined ? { total } : {}) });

  it('count each stream on its own, across pages and parents, and reach 100 % at the end of a known total', () => {
    // Prepare: a non-terminal stream, every page shown.
    const lines: string[] = [];
    const progress = progressReporter({ write: (s: string) => lines.push(s) > 0, isTTY: false }, 0, () => 0);
    // Act: groups (total 2,500) and their members (a child stream: no total) alternate page by page.
    progress.onProgress(page('groups', 1000, 2500));
    progress.onProgress(page('group_members', 700));
    progress.onProgress(page('groups', 1000, 2500));
    progress.onProgress(page('group_members', 700));
    progress.onProgress(page('groups', 500, 2500));
    // Assess: groups' own rows (2 a page item here) and its share of the total; members without a percentage.
    expect(lines.map((l) => l.replace(/  │ unit:.*\n$/, ''))).toEqual([
      'acme/jira/acme.atlassian.net  groups                         2,000 rows   40 % of 2,500',
      'acme/jira/acme.atlassian.net  group_members                  1,400 rows',
      'acme/jira/acme.atlassian.net  groups                         4,000 rows   80 % of 2,500',
      'acme/jira/acme.atlassian.net  group_members                  2,800 rows',
      'acme/jira/acme.atlassian.net  groups                         5,000 rows  100 % of 2,500',
    ]);
  });
});
