import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localReportData, runReport } from '../../shared/cli/report.ts';
import { renderReport } from '../../shared/report/render.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { freshBucket, motoS3 } from '../support/moto.ts';
import { NESTED_ADMIN_GROUP } from '../../shared/simulator/jira.ts';
import { expectedJiraEffectivePermissions } from '../../shared/simulator/jira-effective.ts';
import { LATEST_REPORT_KEY, reportKey, writeAccessReport } from '../../shared/workflow/finalize.ts';
import { silentLogger } from '../../shared/redact.ts';
import { chromium, hasChromium, NO_CHROMIUM } from '../support/chromium.ts';
import { orgFixture, writeOrgSnapshot } from '../support/org-fixture.ts';
import type { ReportData } from '../../shared/report/data.ts';

const D1 = '2026-11-27';
const D2 = '2026-11-28';

describe('access report', () => {
  const f = orgFixture();
  let dir: string;
  let newAdmin: string;
  let repoAdmin: string;
  let sql: ReportData;
  let rows: ReportData;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
    await writeOrgSnapshot(dir, f, D1);
    // Day 2: an active user who administered no project joins the group that holds project 0's
    // Administrators role; a Bitbucket user becomes admin of a repository.
    const m = f.jira.model;
    const admins = new Set(expectedJiraEffectivePermissions(m).filter((r) => r.permission === 'ADMINISTER_PROJECTS').map((r) => r.account_id));
    const group = m.groups.find((g) => g.name === NESTED_ADMIN_GROUP);
    let u = 5;
    while (admins.has(m.users.accountId(u)) || !m.users.isActive(u) || m.users.accountType(u) !== 'atlassian') u++;
    newAdmin = m.users.accountId(u);
    if (group) group.members = Int32Array.from([...group.members, u].sort((a, b) => a - b));
    const bb = f.truth.bitbucket;
    const repo = bb.bitbucket_repositories?.[0];
    const member = bb.bitbucket_workspace_members?.find((w) => w.workspace_uuid === repo?.workspace_uuid && w.permission === 'member' && w.account_id);
    repoAdmin = String(member?.account_id);
    const bitbucket = {
      ...bb,
      bitbucket_repository_permissions: [
        ...(bb.bitbucket_repository_permissions ?? []),
        { repository_uuid: repo?.repository_uuid, repository_full_name: repo?.full_name, workspace_uuid: repo?.workspace_uuid, workspace_slug: repo?.workspace_slug, principal_type: 'user', account_id: member?.account_id, user_uuid: member?.user_uuid, display_name: member?.display_name, group_slug: null, group_name: null, permission: 'admin' },
      ],
    };
    // Confluence: the first space loses every admin grant (permissions and role assignments).
    const space = f.truth.confluence.confluence_spaces?.find((sp) => sp.type !== 'personal');
    const confluence = {
      ...f.truth.confluence,
      confluence_space_permissions: (f.truth.confluence.confluence_space_permissions ?? []).filter((p) => !(p.space_id === space?.space_id && p.operation === 'administer')),
      confluence_space_role_assignments: (f.truth.confluence.confluence_space_role_assignments ?? []).filter((a) => a.space_id !== space?.space_id),
    };
    await writeOrgSnapshot(dir, f, D2, 'acme', { ...f.truth, jira: f.jira.groundTruth(), bitbucket, confluence });
    sql = await localReportData(dir, 'sql');
    rows = await localReportData(dir, 'rows');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('the figures from SQL (DuckDB over the views) equal those finalize computes in TypeScript', () => {
    expect(sql.date).toBe(D2);
    expect(sql.previous).toBe(D1);
    expect(sql.admins.length).toBeGreaterThan(50);
    expect(sql.dormant.length).toBeGreaterThan(10);
    expect(sql.external.length).toBeGreaterThan(0);
    expect(new Set(sql.admins.map((a) => a.product))).toEqual(new Set(['jira', 'confluence', 'bitbucket', 'organization']));
    expect(rows).toEqual(sql);
  });

  it('shows the privileged changes of the day in every product', () => {
    const added = sql.changes.filter((c) => c.change === 'added');
    expect(added.some((c) => c.product === 'jira' && c.principal_id === newAdmin && c.permission === 'ADMINISTER_PROJECTS')).toBe(true);
    expect(added.some((c) => c.product === 'bitbucket' && c.principal_id === repoAdmin)).toBe(true);
    expect(sql.changes.some((c) => c.product === 'confluence' && c.change === 'removed')).toBe(true);
  });

  it('npm run report writes a self-contained page; finalize writes the same report beside the manifest', async () => {
    const file = join(dir, 'r.html');
    const out: string[] = [];
    expect(await runReport(['--out', dir, '--save', file], { stdout: (s) => out.push(s), stderr: (s) => out.push(s) })).toBe(0);
    expect(out.join('')).toContain(`Access report of ${D2} (changes since ${D1})`);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
    expect((html.match(/<svg /g) ?? []).length).toBe(4);

    const written = new Map<string, string>();
    const uri = await writeAccessReport({ id: 'run-2', date: D2 }, {
      store: new LocalStore(dir),
      writeReport: async (key, body) => {
        written.set(key, body);
        return `s3://bucket/${key}`;
      },
      now: () => new Date('2026-11-28T04:00:00Z'),
    }, silentLogger);
    expect(uri).toBe(`s3://bucket/${reportKey({ id: 'run-2', date: D2 })}`);
    expect(uri).toBe('s3://bucket/manifests/dt=2026-11-28/run-2.report.html');
    expect(written.get(LATEST_REPORT_KEY)).toBe(written.get(reportKey({ id: 'run-2', date: D2 })));
    expect(written.get(LATEST_REPORT_KEY)).toBe(renderReport(sql, { generatedAt: '2026-11-28T04:00:00.000Z', source: dir }));
  });

  it('finalize reads the published tables from S3 (moto) and puts the report beside the manifest', async () => {
    const s3 = motoS3();
    const bucket = await freshBucket(s3, 'report');
    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.json.gz'));
    await Promise.all(
      files.map(async (e) => {
        const rel = join(e.parentPath, e.name).slice(dir.length + 1);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `data/${rel}`, Body: await readFile(join(e.parentPath, e.name)) }));
      }),
    );
    const store = new S3Store(s3, bucket, 'data');
    const uri = await writeAccessReport({ id: 'run-s3', date: D2 }, {
      store,
      writeReport: async (key, html) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: html, ContentType: 'text/html; charset=utf-8' }));
        return `s3://${bucket}/${key}`;
      },
      now: () => new Date('2026-11-28T04:00:00Z'),
    }, silentLogger);
    expect(uri).toBe(`s3://${bucket}/manifests/dt=${D2}/run-s3.report.html`);
    const got = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: LATEST_REPORT_KEY }))).Body?.transformToString('utf8');
    expect(got).toBe(renderReport(sql, { generatedAt: '2026-11-28T04:00:00.000Z', source: store.location }));
  });

  it.skipIf(!hasChromium)(`renders in headless Chromium (${hasChromium ? 'found' : NO_CHROMIUM})`, async () => {
    const file = join(dir, 'render.html');
    await writeFile(file, renderReport(sql, { generatedAt: '2026-11-28T04:00:00.000Z', source: dir }));
    const dom = await chromium(`file://${file}`, ['--dump-dom']);
    expect(dom).toContain('id="card-admins"');
    expect(dom).toContain(`Snapshot <b>${D2}</b>`);
    expect((dom.match(/<svg /g) ?? []).length).toBe(4);
    expect((dom.match(/<rect /g) ?? []).length).toBeGreaterThan(8);
    const png = join(dir, 'report.png');
    await chromium(`file://${file}`, ['--window-size=1280,1600', `--screenshot=${png}`]);
    expect((await stat(png)).size).toBeGreaterThan(20_000);
  });
});
