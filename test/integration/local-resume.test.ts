import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jiraTables } from '../../functions/jira.tables.ts';
import { runCollect } from '../../cli/collect.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, jiraTenant } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { captureStderr, tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

// An interrupted `npm run collect` resumes where it stopped when run again for the same date, as the workflow
// does from its state: the checkpoint is kept in <out>/_checkpoints/ after every invocation.
const tmp = tempDirs('local-resume');
const env = { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken };
const http = { timeoutMs: 300, retry: { baseDelayMs: 5, maxDelayMs: 10, maxRetries: 1 } };

describe('a local collection that stopped part-way', () => {
  const tenant = jiraTenant({ seed: 41, users: 300, groups: 10, memberships: 200, projects: 3 });
  const sim = simulatorForBlock({ products: [tenant], seed: 41 });

  it('says it can resume, then resumes from its checkpoint file and publishes every row once', async () => {
    // Prepare: the site stops answering at its 20th request, so the first run fails part-way.
    const out = await tmp();
    const argv = ['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', '2026-11-28', '--max-requests-per-invocation', '4', '--concurrency', '1'];
    const frozen = sim.freezeAt(20);
    const first = await captureStderr(() => runCollect(argv, { env, http }));
    await frozen;
    sim.thaw();
    expect(first.result.exitCode).toBe(1);
    expect(first.stderr).toContain('Run the same command again to resume acme/jira/');
    expect(await readdir(join(out, '_checkpoints', '2026-11-28'))).toHaveLength(1);
    // Act
    sim.resetStats();
    const second = await captureStderr(() => runCollect(argv, { env, http }));
    // Assess: resumed (it says so, and reads less than a whole collection), complete, exact, checkpoint gone.
    expect(second.result.exitCode).toBe(0);
    expect(second.stderr).toMatch(/acme\/jira\/\S+: resuming run local-\S+ from its checkpoint/);
    expect(sim.stats().requests).toBeLessThan(tenant.minimumRequests());
    await expectTablesEqualTruth(new LocalStore(out), jiraTables, tenant.groundTruth(), { date: '2026-11-28', org: 'acme' });
    expect(await readdir(out)).not.toContain('_checkpoints');
  });

  it('does not offer a resume when nothing was checkpointed', async () => {
    const out = await tmp();
    const bad = await captureStderr(() =>
      runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', out], { env: { ...env, ATLASSIAN_API_TOKEN: 'wrong-token-value-123' }, http }),
    );
    expect(bad.result.exitCode).toBe(1);
    expect(bad.stderr).not.toContain('Run the same command again to resume');
  });
});
