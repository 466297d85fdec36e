import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../cli/collect.ts';
import { CONFLUENCE_DC_TOKENS, confluenceDcTenant, startSimulator } from '../../simulator/index.ts';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { ALL_TABLES } from '../../functions/index.ts';

// Confluence Data Center writes no confluence_settings; its snapshots are found through collector_units, so a change
// between two of its snapshots reaches access_changes (it read 0 rows when snapshots came from confluence_settings).
const D1 = '2026-11-27';
const D2 = '2026-11-28';

describe('access_changes on Confluence Data Center', () => {
  const tenant = confluenceDcTenant({ seed: 51, users: 40, groups: 4, memberships: 30, spaces: 4 });
  let dir: string;
  let catalog: LocalCatalog;
  let removedUserKey = '';
  let spaceKey = '';
  let changes: SqlRow[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'access-changes-dc-'));
    const sim = await startSimulator({ products: [tenant], seed: 51 });
    const env = { ATLASSIAN_BEARER_TOKEN: CONFLUENCE_DC_TOKENS.admin };
    const collect = async (date: string) => {
      const argv = ['--product', 'confluence-dc', '--site-url', `${sim.url}/confluence`, '--org', 'acme', '--out', dir, '--date', date, '--run-id', `run-${date}`];
      expect((await runCollect(argv, { env, quiet: true })).exitCode).toBe(0);
    };
    try {
      await collect(D1);
      // Day 2: a user loses a direct space-admin permission.
      const space = tenant.model.spaces.find((s) => !s.vanishing && s.perms.some((p) => p.subject.type === 'user' && p.op === 'administer'));
      const perm = space?.perms.find((p) => p.subject.type === 'user' && p.op === 'administer');
      if (!space || perm?.subject.type !== 'user') throw new Error('fixture: no space with a user admin');
      removedUserKey = tenant.model.users[perm.subject.user]?.userKey ?? '';
      spaceKey = space.key;
      space.perms = space.perms.filter((p) => !(p.subject.type === 'user' && p.subject.user === (perm.subject as { user: number }).user));
      await collect(D2);
    } finally {
      await sim.close();
    }
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    changes = [...(await catalog.query(`SELECT * FROM access_changes WHERE from_dt = '${D1}' AND to_dt = '${D2}'`)).rows];
  });
  afterAll(async () => {
    catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists both Data Center snapshots', async () => {
    const rows = (await catalog.query(`SELECT dt, product FROM snapshots ORDER BY dt`)).rows;
    expect(rows.map((r) => `${String(r.dt)} ${String(r.product)}`)).toEqual([`${D1} confluence`, `${D2} confluence`]);
  });

  it('shows the removed space admin', () => {
    const removed = changes.filter((c) => c.change === 'removed' && c.privileged === true && c.resource_key === spaceKey && c.account_id === removedUserKey);
    expect(removed.length).toBeGreaterThan(0);
  });
});
