import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../cli/query.ts';
import { displayWidth } from '../../shared/sql/format.ts';
import { orgFixture, writeOrgSnapshot } from '../support/org-fixture.ts';

let dir: string;
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runQuery(['--out', dir, ...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'query-cli-'));
  const f = orgFixture(7);
  await writeOrgSnapshot(dir, f, '2026-11-27');
  await writeOrgSnapshot(dir, f, '2026-11-28');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('npm run query', () => {
  it('runs SQL over the tables and prints an aligned table (wide characters included)', async () => {
    const r = await run("SELECT display_name, count(*) AS grants FROM jira_effective_permissions WHERE dt = '2026-11-28' AND account_id IS NOT NULL GROUP BY display_name ORDER BY grants DESC, display_name LIMIT 40");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^display_name\s+│ grants$/);
    expect(lines[1]).toMatch(/^─+─┼──+$/);
    expect(new Set(lines.map((l) => displayWidth(l))).size).toBe(1);
    expect(r.err).toMatch(/^40 rows \(\d+ ms\)/);
  });

  it('--view with --where and --date latest, as csv and json', async () => {
    const csv = await run('--view', 'jira_effective_permissions', '--where', "permission = 'ADMINISTER_PROJECTS' AND NOT account_active", '--date', 'latest', '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.out.trimEnd().split('\r\n');
    expect(lines[0]?.split(',').slice(0, 4)).toEqual(['dt', 'org', 'site', 'project_id']);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.startsWith('2026-11-28,acme,'))).toBe(true);
    const json = await run('--view', 'external_access', '--date', '2026-11-27', '--limit', '3', '--format', 'json');
    const rows = JSON.parse(json.out) as Record<string, unknown>[];
    expect(rows).toHaveLength(3);
    expect(rows.every((x) => x.dt === '2026-11-27' && typeof x.product_count === 'number')).toBe(true);
  });

  it('--view access_changes --date compares with the snapshot before; --save writes a file', async () => {
    const file = join(dir, 'changes.csv');
    const r = await run('--view', 'access_changes', '--date', '2026-11-28', '--format', 'csv', '--save', file);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^0 rows written to/);
    expect((await readFile(file, 'utf8')).split('\r\n')[0]).toMatch(/^from_dt,to_dt,org,product/);
  });

  it('--question runs each of the auditor questions', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const r = await run('--question', String(n), '--format', 'json');
      expect({ n, code: r.code, err: r.err.split('\n')[0] }).toEqual({ n, code: 0, err: expect.stringMatching(new RegExp(`^${n}\\. `)) });
      const rows = JSON.parse(r.out) as unknown[];
      if (n !== 2) expect({ n, rows: rows.length > 0 }).toEqual({ n, rows: true });
    }
  });

  it('says what is wrong: unknown view, bad option, failing SQL, no earlier snapshot', async () => {
    expect(await run('--view', 'nope')).toMatchObject({ code: 2, err: expect.stringMatching(/no view 'nope'; views: .*jira_effective_permissions/) });
    expect(await run('--format', 'xml', 'SELECT 1')).toMatchObject({ code: 2, err: expect.stringMatching(/--format must be table, csv or json/) });
    expect(await run('SELECT nope FROM jira_users')).toMatchObject({ code: 1, err: expect.stringMatching(/query failed: .*nope/) });
    expect(await run('--view', 'access_changes', '--date', '2026-11-27')).toMatchObject({ code: 2, err: expect.stringMatching(/no snapshot before 2026-11-27/) });
    expect(await run()).toMatchObject({ code: 2, err: expect.stringMatching(/give one of: a SQL statement, --view <name>, --question <n>/) });
  });
});
