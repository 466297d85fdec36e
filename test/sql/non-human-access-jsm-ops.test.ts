import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsmOpsTenant } from '../../simulator/index.ts';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { writeSnapshot } from '../support/snapshots.ts';
import { ALL_TABLES } from '../../functions/index.ts';

// Each JSM operations integration holds an API key: it is non-human access beside tokens, deploy keys and webhooks.
const D = '2026-11-28';

describe('non_human_access with JSM operations integrations', () => {
  const tenant = jsmOpsTenant({ seed: 4 });
  let dir: string;
  let catalog: LocalCatalog;
  let rows: readonly SqlRow[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nha-jsm-ops-'));
    await writeSnapshot(dir, tenant.groundTruth(), { date: D, org: 'acme', site: 'acme.atlassian.net', product: 'jsm-ops' });
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    rows = (await catalog.query(`SELECT * FROM non_human_access WHERE dt = '${D}' AND kind = 'jsm_ops_integration'`)).rows;
  });
  afterAll(async () => {
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every integration once, with its owner team as scope and its enabled state', () => {
    const truth = tenant.groundTruth().jsm_ops_integrations ?? [];
    expect(truth.length).toBeGreaterThan(0);
    const got = rows.map((r) => `${String(r.credential_id)}|${String(r.scope)}|${String(r.status)}`).sort();
    const want = truth.map((i) => `${String(i.integration_id)}|${String(i.owner_team_id)}|${i.enabled === true ? 'enabled' : i.enabled === false ? 'disabled' : 'null'}`).sort();
    expect(got).toEqual(want);
  });
});
