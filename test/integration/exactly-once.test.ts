import { describe, expect, it } from 'vitest';
import { jira } from '../../functions/jira.ts';
import { jiraTables } from '../../functions/jira.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Checkpoint } from '../../shared/contract.ts';
import { collect, publish, type CollectDeps } from '../../shared/engine/collect.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { stagingPrefix } from '../../shared/sink/layout.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, jiraTenant } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

// Exactly-once across retried invocations: Step Functions retries an invocation whose answer was lost (a Lambda
// timeout, a throttle after it ran) with the same checkpoint. The lost attempt may have got further than its
// retry will, staging parts the retry never writes; those must not survive beside the rows the next
// invocations write again (shared/engine/collect.ts discards an earlier attempt's parts before it starts).
const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const tmp = tempDirs('exactly-once');

describe('a retried invocation whose lost attempt staged more than the retry writes', () => {
  const tenant = jiraTenant({ seed: 31, users: 400, groups: 12, memberships: 300, projects: 4 });
  const sim = simulatorForBlock({ products: [tenant], seed: 31 });

  it('publishes every row once', async () => {
    // Prepare: the lost attempt of invocation 0 runs 40 requests; its retry stops after one.
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'retry', date: '2026-11-28' };
    const unit: Unit = { org: 'acme', product: 'jira', siteUrl: sim.url, auth: { kind: 'basic' } };
    const deps = (maxRequests: number): CollectDeps => ({ module: jira, store, credentials: creds, http: { concurrency: 1 }, maxRequests });
    await collect({ run, unit, checkpoint: null }, deps(40));
    const stagedByLostAttempt = await store.list(stagingPrefix(run, unit));
    // Act
    let res = await collect({ run, unit, checkpoint: null }, deps(1));
    const stagedByRetry = await store.list(stagingPrefix(run, unit));
    while (!res.done) res = await collect({ run, unit, checkpoint: JSON.parse(JSON.stringify(res.checkpoint)) as Checkpoint }, deps(25));
    await publish(store, run, unit, jira);
    // Assess: the lost attempt really did stage parts its retry did not write, and no row is doubled or lost.
    expect(stagedByLostAttempt.filter((k) => !stagedByRetry.includes(k)).length).toBeGreaterThan(0);
    await expectTablesEqualTruth(store, jiraTables, tenant.groundTruth(), { date: run.date, org: 'acme' });
  });
});
