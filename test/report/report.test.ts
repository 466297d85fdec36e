import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type Row } from '@aws-sdk/client-athena';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localReport, localReportData, runReport } from '../../cli/report.ts';
import { renderReport } from '../../shared/report/render.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { freshBucket, motoS3 } from '../support/moto.ts';
import { NESTED_ADMIN_GROUP } from '../../simulator/jira.ts';
import { jiraAddToGroup, jiraAuditTruth, jiraBackground } from '../../simulator/jira-audit.ts';
import { expectedJiraEffectivePermissions } from '../../simulator/jira-effective.ts';
import { LATEST_REPORT_KEY, reportKey, writeAccessReport } from '../../shared/workflow/report.ts';
import { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { duckdbRunner, type QueryRunner } from '../../shared/sql/runner.ts';
import { unitCoverage } from '../../shared/report/coverage.ts';
import { reportDataFromRows, storeSource } from './rows-oracle.ts';
import { AthenaQueryRunner } from '../../shared/sql/athena.ts';
import { reportDataFromSql } from '../../shared/report/sql.ts';
import type { QueryResult } from '../../shared/sql/duckdb.ts';
import { silentLogger } from '../../shared/redact.ts';
import { CHROMIUM, hasChromium, NO_CHROMIUM } from '../support/chromium.ts';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AccessRow } from '../../shared/report/access.ts';
import { orgFixture, writeOrgSnapshot } from '../support/org-fixture.ts';
import type { ReportData } from '../../shared/report/data.ts';
import { ALL_TABLES, MODULES } from '../../functions/index.ts';

const D1 = '2026-11-27';
const D2 = '2026-11-28';

describe('access report', () => {
  const f = orgFixture();
  let dir: string;
  let newAdmin: string;
  let repoAdmin: string;
  let joined: { id: string; actor: string; at: string };
  let sql: ReportData;
  let rows: ReportData;
  let catalog: LocalCatalog | undefined;
  let runner: QueryRunner;

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
    // An admin (user 0) makes the change between the two snapshots (taken at 03:00 UTC), and Jira logs it
    // among unrelated records: the report names who made it; the other products' changes stay unexplained.
    if (!group) throw new Error('fixture: no nested admin group');
    const d1At = Date.parse(`${D1}T03:00:00.000Z`);
    const d2At = Date.parse(`${D2}T03:00:00.000Z`);
    jiraBackground(m, f.jira.audit, 6, d1At + 1, d2At);
    const event = jiraAddToGroup(m, f.jira.audit, group, u, 0, d1At + 5 * 3_600_000);
    joined = { id: event.id, actor: m.users.accountId(0), at: new Date(event.at).toISOString() };
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
    const jira = { ...f.jira.groundTruth(), jira_audit_records: jiraAuditTruth(f.jira.audit, d1At + 1, d2At) };
    await writeOrgSnapshot(dir, f, D2, 'acme', { ...f.truth, jira, bitbucket, confluence });
    sql = await localReportData(dir);
    // The independent oracle: the same rules restated in TypeScript over the NDJSON.
    const oracle = await reportDataFromRows(storeSource(new LocalStore(dir)));
    if (!oracle) throw new Error('the oracle found no snapshot');
    rows = { ...oracle, coverage: await unitCoverage(new LocalStore(dir), oracle.date, oracle.previous, MODULES) };
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    runner = duckdbRunner(catalog);
  });
  afterAll(async () => {
    catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the figures from the report SQL through the query runner equal the TypeScript oracle', () => {
    expect(sql.date).toBe(D2);
    expect(sql.previous).toBe(D1);
    expect(sql.admins.length).toBeGreaterThan(50);
    expect(sql.dormant.length).toBeGreaterThan(10);
    expect(sql.external.length).toBeGreaterThan(0);
    expect(new Set(sql.admins.map((a) => a.product))).toEqual(new Set(['jira', 'confluence', 'bitbucket', 'organization']));
    expect(rows).toEqual(sql);
  });

  it('lists the flagged non-human access of the day, each flag set where the view sets it, from SQL and TypeScript alike', () => {
    const flagged = (k: 'owner_inactive' | 'never_expires' | 'unused_90_days' | 'external_target') => sql.nonHuman.filter((r) => r[k] === true).length;
    for (const k of ['owner_inactive', 'never_expires', 'unused_90_days', 'external_target'] as const) expect({ k, n: flagged(k) > 0 }).toEqual({ k, n: true });
    for (const r of sql.nonHuman) expect(r.owner_inactive === true || r.never_expires === true || r.unused_90_days === true || r.external_target === true).toBe(true);
    const kinds = new Set(sql.nonHuman.map((r) => r.kind));
    for (const k of ['user_api_token', 'service_account', 'service_account_api_token', 'bitbucket_deploy_key', 'bitbucket_webhook']) expect(kinds).toContain(k);
    expect(rows.nonHuman).toEqual(sql.nonHuman);
  });

  it('the figures through the Athena runner (DuckDB’s answers in Athena’s wire format, paged) equal the oracle', async () => {
    // Prepare: an Athena whose results come from DuckDB over the same files, as GetQueryResults sends them:
    // strings (absent for NULL), the column names as the first row, pages of 100 rows (the tenant has
    // fewer than Athena's 1,000 per table) so that paging is exercised.
    const athena = mockClient(AthenaClient);
    const results = new Map<string, QueryResult>();
    athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString: string }) => {
      const id = `q-${results.size + 1}`;
      results.set(id, await (catalog as LocalCatalog).query(input.QueryString));
      return { QueryExecutionId: id };
    });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    let pages = 0;
    athena.on(GetQueryResultsCommand).callsFake(async (input: { QueryExecutionId: string; MaxResults: number; NextToken?: string }) => {
      pages++;
      const r = results.get(input.QueryExecutionId) as QueryResult;
      const cell = (v: unknown) => (v === null ? {} : { VarCharValue: String(v) });
      const all: Row[] = [{ Data: r.columns.map((c) => ({ VarCharValue: c })) }, ...r.rows.map((row) => ({ Data: r.columns.map((c) => cell(row[c])) }))];
      const from = Number(input.NextToken ?? 0);
      const to = from + input.MaxResults;
      return {
        ResultSet: { ResultSetMetadata: { ColumnInfo: r.columns.map((c, i) => ({ Name: c, Type: String(r.types[i]).toLowerCase() })) }, Rows: all.slice(from, to) },
        ...(to < all.length ? { NextToken: String(to) } : {}),
      };
    });
    const viaAthena = new AthenaQueryRunner({ athena: new AthenaClient({ region: 'eu-central-1' }), workGroup: 'wg', database: 'db', pageSize: 100, sleep: async () => undefined });

    // Act
    const d = await reportDataFromSql(viaAthena, D2, D1);
    athena.restore();

    // Assess: the same figures as the oracle (coverage is listed from the files by both paths); more than one page read.
    expect({ ...d, coverage: rows.coverage }).toEqual(rows);
    expect(pages).toBeGreaterThan(results.size);
  });

  it('shows the privileged changes of the day in every product', () => {
    const added = sql.changes.filter((c) => c.change === 'added');
    expect(added.some((c) => c.product === 'jira' && c.principal_id === newAdmin && c.permission === 'ADMINISTER_PROJECTS')).toBe(true);
    expect(added.some((c) => c.product === 'bitbucket' && c.principal_id === repoAdmin)).toBe(true);
    expect(sql.changes.some((c) => c.product === 'confluence' && c.change === 'removed')).toBe(true);
  });

  it('names who made each privileged change and when, from the audit event that explains it, or says unexplained', () => {
    // Assess: the Jira admin gained through the nested group carries the "User added to group" event; the
    // Bitbucket and Confluence changes have no audit record in this tenant, so they read unexplained.
    const gained = sql.changes.filter((c) => c.product === 'jira' && c.principal_id === newAdmin && c.change === 'added');
    expect(gained.length).toBeGreaterThan(0);
    for (const c of gained) expect({ explanation: c.explanation, actor: c.actor, action: c.action, event_time: c.event_time }).toEqual({ explanation: 'explained', actor: joined.actor, action: 'User added to group', event_time: joined.at });
    const others = sql.changes.filter((c) => c.product !== 'jira');
    expect(others.length).toBeGreaterThan(0);
    for (const c of others) expect({ explanation: c.explanation, actor: c.actor, action: c.action, event_time: c.event_time }).toEqual({ explanation: 'unexplained', actor: null, action: null, event_time: null });
    expect(sql.changes.filter((c) => c.explanation === 'explained').every((c) => c.product === 'jira' && c.principal_id === newAdmin)).toBe(true);
  });

  it('npm run report writes a self-contained page; the report step writes the same report beside the manifest', async () => {
    const file = join(dir, 'r.html');
    const out: string[] = [];
    expect(await runReport(['--out', dir, '--save', file], { stdout: (s) => out.push(s), stderr: (s) => out.push(s) })).toBe(0);
    expect(out.join('')).toContain(`Access report of ${D2} (changes since ${D1})`);
    const html = await readFile(file, 'utf8');
    // Self-contained: inline script and data only, nothing fetched.
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link|src="http|href="http|import\(|fetch\(/i);
    expect((html.match(/<svg /g) ?? []).length).toBe(4);

    const written = new Map<string, string>();
    const uri = await writeAccessReport({ id: 'run-2', date: D2 }, {
      modules: MODULES,
      store: new LocalStore(dir),
      runner,
      log: silentLogger,
      writeReport: async (key, body) => {
        written.set(key, body);
        return `s3://bucket/${key}`;
      },
      now: () => new Date('2026-11-28T04:00:00Z'),
    });
    expect(uri).toBe(`s3://bucket/${reportKey({ id: 'run-2', date: D2 })}`);
    expect(uri).toBe('s3://bucket/manifests/dt=2026-11-28/run-2.report.html');
    expect(written.get(LATEST_REPORT_KEY)).toBe(written.get(reportKey({ id: 'run-2', date: D2 })));
    expect(written.get(LATEST_REPORT_KEY)).toBe(renderReport(sql, { generatedAt: '2026-11-28T04:00:00.000Z', source: dir }));
  });

  it('the report step reads the snapshot dates and units from S3 (moto) and puts the report beside the manifest', async () => {
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
      modules: MODULES,
      store,
      runner,
      log: silentLogger,
      writeReport: async (key, html) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: html, ContentType: 'text/html; charset=utf-8' }));
        return `s3://${bucket}/${key}`;
      },
      now: () => new Date('2026-11-28T04:00:00Z'),
    });
    expect(uri).toBe(`s3://${bucket}/manifests/dt=${D2}/run-s3.report.html`);
    const got = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: LATEST_REPORT_KEY }))).Body?.transformToString('utf8');
    expect(got).toBe(renderReport(sql, { generatedAt: '2026-11-28T04:00:00.000Z', source: store.location }));
  });

  describe.skipIf(!hasChromium)(`in headless Chromium (${hasChromium ? 'found' : NO_CHROMIUM})`, () => {
    let browser: Browser;
    let url: string;
    let access: AccessRow[];
    let shots: string;
    const open = async (hash = ''): Promise<Page> => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      await page.goto(`${url}${hash}`);
      return page;
    };
    /** The visible text of a table's body cells in one column, row by row. */
    const column = (page: Page, table: string, label: string): Promise<string[]> =>
      page.locator(table).evaluate((host, l) => {
        const heads = [...host.querySelectorAll('thead tr:first-child th')].map((th) => th.textContent?.replace(/[▲▼]/g, '').trim());
        const i = heads.indexOf(l);
        return [...host.querySelectorAll('tbody tr')].map((tr) => tr.children[i]?.textContent ?? '');
      }, label);

    /** Every row of a table on screen (its "Show all" button exists only past one page). */
    const showAll = async (page: Page, table: string): Promise<void> => {
      const all = page.locator(`${table} button.all`);
      if (await all.count()) await all.click();
    };

    beforeAll(async () => {
      const r = await localReport(dir);
      access = r.access ?? [];
      const file = join(dir, 'browse.html');
      await writeFile(file, renderReport(r.data, { generatedAt: '2026-11-28T04:00:00.000Z', source: dir, access }));
      url = pathToFileURL(file).href;
      shots = process.env.REPORT_SCREENSHOTS ?? dir;
      await mkdir(shots, { recursive: true });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    });
    afterAll(async () => browser?.close());

    it('the first screen has a table of contents whose links reach every section, and every unit covered', async () => {
      const page = await open();
      const toc = await page.locator('nav#toc a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(toc).toEqual(expect.arrayContaining(['#summary', '#people', '#admins', '#changes', '#dormant', '#suspended', '#external', '#nonhuman', '#resources', '#coverage']));
      for (const href of toc) expect(await page.locator(String(href)).count()).toBe(1);
      await page.screenshot({ path: join(shots, 'report-first-screen.png') });
      await page.locator('nav#toc a[href="#coverage"]').click();
      await expect.poll(() => page.evaluate('location.hash')).toBe('#coverage');
      const top = await page.locator('#coverage h2').evaluate((h) => h.getBoundingClientRect().top);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top).toBeLessThan(900);
      expect(await column(page, '#t-coverage', 'product')).toEqual(sql.coverage.map((c) => c.product));
      expect(new Set(await column(page, '#t-coverage', 'product'))).toEqual(new Set(['jira', 'confluence', 'bitbucket', 'admin']));
      await page.close();
    });

    it('finds a person by name and shows everything they reach and through which path', async () => {
      const page = await open();
      const name = String(sql.changes.find((c) => c.principal_id === newAdmin)?.display_name);
      await page.locator('#find').fill(name.slice(0, -1));
      await page.locator('#find-results a', { hasText: name }).first().click();
      await expect.poll(() => page.locator('#person .meta').first().textContent()).toContain(newAdmin);
      expect(await page.locator('#person').textContent()).toContain(name);
      const reach = access.filter((a) => a.principal_id === newAdmin);
      expect(reach.length).toBeGreaterThan(0);
      await showAll(page, '#v-person-access');
      expect((await column(page, '#v-person-access', 'resource')).sort()).toEqual(reach.map((a) => a.resource_key).sort());
      const admin = reach.find((a) => a.product === 'jira' && a.level === 'admin');
      expect(admin?.via).toContain('project_role_group');
      expect(await page.locator('#person').textContent()).toContain(String(admin?.via));
      expect(await column(page, '#v-person-changes', 'change')).toContain('added');
      // Who made the change and how, from the audit event that explains it.
      expect(await column(page, '#v-person-changes', 'made by')).toContain(joined.actor);
      expect(await column(page, '#v-person-changes', 'action')).toContain('User added to group');
      await page.screenshot({ path: join(shots, 'report-person-view.png'), fullPage: true });
      await page.close();
    });

    it('a resource view lists everyone who can reach it; the resources behind "project admin (n)" open it', async () => {
      const page = await open('#admins-jira');
      const line = sql.admins.find((a) => a.product === 'jira' && a.role === 'project admin' && (a.scope ?? 0) > 1);
      const keys = [...new Set(access.filter((a) => a.privileged && a.product === 'jira' && a.principal_id === line?.account_id).map((a) => a.resource_key))].sort();
      expect(keys.length).toBe(line?.scope);
      await page.locator('#t-admins-jira input.q').fill(String(line?.account_id));
      const cell = page.locator('#t-admins-jira tbody tr').first();
      expect(await cell.textContent()).toContain(`project admin (${line?.scope})`);
      expect(await cell.locator('a.resource').allTextContents()).toEqual(keys);
      await cell.locator('a.resource').first().click();
      await expect.poll(() => page.locator('#resource h2').textContent()).toContain(String(keys[0]));
      const everyone = access.filter((a) => a.product === 'jira' && a.resource_key === keys[0]);
      await showAll(page, '#v-resource-access');
      expect((await column(page, '#v-resource-access', 'id')).sort()).toEqual(everyone.map((a) => a.principal_id).sort());
      await page.screenshot({ path: join(shots, 'report-resource-view.png'), fullPage: true });
      await page.close();
    });

    it('sorts a table by a column, both ways', async () => {
      const page = await open('#dormant');
      const days = sql.dormant.filter((r) => r.reason !== 'suspended_but_active').map((r) => r.days_inactive ?? -1);
      await page.locator('#t-dormant th button', { hasText: 'days inactive' }).click();
      await page.locator('#t-dormant th button', { hasText: 'days inactive' }).click();
      expect(await page.locator('#t-dormant th[aria-sort=descending]').textContent()).toContain('days inactive');
      const shown = (await column(page, '#t-dormant', 'days inactive')).map((v) => (v === '' ? -1 : Number(v.replace(/,/g, ''))));
      expect(shown).toEqual([...days].sort((a, b) => b - a).slice(0, shown.length));
      await page.close();
    });

    it('filters a column and pages through every row, nothing clipped', async () => {
      const page = await open('#dormant');
      const never = sql.dormant.filter((r) => r.reason === 'never_active');
      await page.locator('#t-dormant select[aria-label="Filter reason"]').selectOption('never active');
      await showAll(page, '#t-dormant');
      expect(await column(page, '#t-dormant', 'reason')).toEqual(never.map(() => 'never active'));
      expect(await page.locator('#t-dormant .count').textContent()).toContain(`of ${never.length}`);
      await page.locator('#t-dormant select[aria-label="Filter reason"]').selectOption('');
      const total = sql.dormant.length - sql.dormant.filter((r) => r.reason === 'suspended_but_active').length;
      expect(total).toBeGreaterThan(50);
      expect(await page.locator('#t-dormant tbody tr').count()).toBe(50);
      await page.locator('#t-dormant button.all').click();
      expect(await page.locator('#t-dormant tbody tr').count()).toBe(total);
      await page.close();
    });

    it('exports the rows a search leaves as CSV', async () => {
      const page = await open('#external');
      const who = sql.external[0];
      await page.locator('#t-external input.q').fill(String(who?.email));
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#t-external button.csv').click()]);
      expect(download.suggestedFilename()).toBe(`external-${D2}.csv`);
      const csv = await readFile(await download.path(), 'utf8');
      const matching = sql.external.filter((r) => [r.org, r.name ?? r.account_id, r.email, r.email_domain, r.directory_status, r.products].some((v) => String(v ?? '').toLowerCase().includes(String(who?.email).toLowerCase())));
      expect(csv.trimEnd().split('\r\n')).toEqual(['org,name,e-mail,domain,directory status,products', ...matching.map((r) => [r.org, r.name ?? r.account_id, r.email, r.email_domain, r.directory_status ?? '', r.products].map((v) => (/[",]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(','))]);
      await page.close();
    });

    it('prints every row of every table, without the controls', async () => {
      const page = await open();
      await page.emulateMedia({ media: 'print' });
      await page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
      const dormantRows = sql.dormant.filter((r) => r.reason !== 'suspended_but_active').length;
      expect(await page.locator('#t-dormant tbody tr').count()).toBe(dormantRows);
      expect(await page.locator('nav#toc').isVisible()).toBe(false);
      expect(await page.locator('#t-dormant tr.filters').isVisible()).toBe(false);
      await page.close();
    });
  });
});
