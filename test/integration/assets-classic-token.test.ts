import { describe, expect, it } from 'vitest';
import { assets } from '../../functions/assets.ts';
import { assetsTables } from '../../functions/assets.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { assetsTenant, DEFAULT_CREDENTIALS } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

// Atlassian's "Assets REST API guide": basic auth with a classic API token, the workspace id from the site
// (`/rest/servicedeskapi/assets/workspace`), then the Assets API on `https://api.atlassian.com/jsm/assets/...`.
// Here the site is `http://127.0.0.1:<port>` and the Assets API `http://localhost:<port>`: two origins, one simulator.
const tmp = tempDirs('assets-classic');
const basic: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };

describe('Assets with a classic API token', () => {
  const tenant = assetsTenant({ seed: 21, workspaces: 1, schemas: 3, typesPerSchema: 3, objectsPerType: 120 });
  const sim = simulatorForBlock({ products: [tenant], seed: 21 });

  it('discovers the workspace on the site and reads Assets on the Assets API origin, never through the gateway', async () => {
    // Prepare
    const store = new LocalStore(await tmp());
    const apiUrl = sim.url.replace('127.0.0.1', 'localhost');
    const types = tenant.model.workspaces[0]?.schemas.flatMap((s) => s.types.map((t) => t.id)) ?? [];
    const unit: Unit = { org: 'acme', product: 'assets', siteUrl: sim.url, assets: { objectTypes: types, apiUrl }, auth: { kind: 'basic' } };
    const run: Run = { id: 'classic', date: '2026-11-28' };
    // Act
    const out = await runUnit(run, unit, () => ({ module: assets, store, credentials: basic }));
    // Assess
    expect(out.error).toBeUndefined();
    const paths = sim.requests().map((r) => r.url);
    expect(paths.some((p) => p.startsWith('/rest/servicedeskapi/assets/workspace'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/jsm/assets/workspace/'))).toBe(true);
    expect(paths.filter((p) => p.startsWith('/ex/'))).toEqual([]);
    expect(sim.requests().every((r) => r.authorization === 'basic')).toBe(true);
    await expectTablesEqualTruth(store, assetsTables, tenant.groundTruth(types), { date: run.date, org: 'acme' });
  });
});
