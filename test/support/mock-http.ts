import { MockAgent } from 'undici';
import { HttpClient } from '../../shared/http/client.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import type { PacingOptions } from '../../shared/http/pacing.ts';

export const ORIGIN = 'https://acme.atlassian.net';
export const basicCreds: Credentials = { kind: 'basic', email: 'me@acme.test', apiToken: 'ATATT-unit-test-token-123', source: 'the test' };

/**
 * An HttpClient whose requests go to an undici MockAgent (no sockets), with instant, recorded sleeps. With
 * `pacing`, the client runs on a fake clock that only its sleeps advance (`clock.now`).
 */
export function mockClient(opts: { credentials?: Credentials; pacing?: PacingOptions } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const sleeps: number[] = [];
  const clock = { now: 1_800_000_000_000 };

  const client = new HttpClient({
    baseUrl: ORIGIN,
    credentials: opts.credentials ?? basicCreds,
    context: { org: 'acme', product: 'jira', site: 'acme.atlassian.net' },
    dispatcher: agent,
    sleep: async (ms) => {
      sleeps.push(ms);
      if (opts.pacing) clock.now += ms;
    },
    random: () => 0.5,
    ...(opts.pacing ? { pacing: opts.pacing, now: () => clock.now } : {}),
  });
  return { client, pool, agent, sleeps, clock };
}
