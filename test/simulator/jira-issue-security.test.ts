/**
 * The simulated issue security listings against The Jira Cloud platform REST API's "Issue security schemes"
 * operations over real HTTP: PageBean envelope and end signal, the page size silently lowered to the cap,
 * inclusive id filters, and 403 without 'Administer Jira'.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITED_CREDENTIALS, jiraTenant, type Simulator } from '../../simulator/index.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const ADMIN = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;
const LIMITED = `Basic ${Buffer.from(`${DEFAULT_LIMITED_CREDENTIALS.email}:${DEFAULT_LIMITED_CREDENTIALS.apiToken}`).toString('base64')}`;
type Json = Record<string, unknown>;

async function get(sim: Simulator, path: string, auth = ADMIN): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sim.url}${path}`, { headers: { authorization: auth } });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('issue security listings', () => {
  const jira = jiraTenant({ seed: 7, users: 80, groups: 6, memberships: 100, projects: 12, issueSecurity: { schemes: 5, pageCaps: { members: 10 } } });
  const sim = simulatorForBlock({ seed: 7, products: [jira] });

  it('members: PageBean, maxResults above the cap silently lowered, nextPage until isLast', async () => {
    const all = jira.groundTruth().jira_issue_security_level_members ?? [];
    const first = await get(sim, '/rest/api/3/issuesecurityschemes/level/member?maxResults=1000');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ startAt: 0, maxResults: 10, total: all.length, isLast: false });
    expect((first.body.values as Json[]).length).toBe(10);
    expect(String(first.body.nextPage)).toContain('startAt=10');
    const last = await get(sim, `/rest/api/3/issuesecurityschemes/level/member?startAt=${all.length - 1}&maxResults=10`);
    expect(last.body).toMatchObject({ isLast: true });
    expect(last.body.nextPage).toBeUndefined();
  });

  it('levels: schemeId and id filter inclusively; default page size 50', async () => {
    const scheme = jira.model.issueSecurity.schemes[1];
    const other = jira.model.issueSecurity.schemes[2]?.levels[0];
    const { body } = await get(sim, `/rest/api/3/issuesecurityschemes/level?schemeId=${scheme?.id}&id=${other?.id}`);
    const ids = (body.values as Json[]).map((l) => l.id).sort();
    expect(ids).toEqual([...(scheme?.levels.map((l) => l.id) ?? []), other?.id].sort());
    expect(body.maxResults).toBe(50);
  });

  it('project mappings: classic projects only, filterable by scheme', async () => {
    const { body } = await get(sim, '/rest/api/3/issuesecurityschemes/project');
    const classic = new Set(jira.model.projects.filter((p) => p.style === 'classic').map((p) => p.id));
    for (const m of body.values as Json[]) expect(classic.has(String(m.projectId))).toBe(true);
    const s0 = jira.model.issueSecurity.schemes[0]?.id;
    const only = await get(sim, `/rest/api/3/issuesecurityschemes/project?issueSecuritySchemeId=${s0}`);
    for (const m of only.body.values as Json[]) expect(m.issueSecuritySchemeId).toBe(String(s0));
  });

  it("answers 403 to an account without 'Administer Jira'", async () => {
    for (const path of ['search', 'level', 'level/member', 'project']) {
      const r = await get(sim, `/rest/api/3/issuesecurityschemes/${path}`, LIMITED);
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
      expect((r.body.errorMessages as string[])[0]).toMatch(/Administrator privileges are required/);
    }
  });
});
