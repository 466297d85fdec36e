import { MockAgent } from 'undici';
import { HttpClient } from '../../shared/http/client.ts';
import type { Credentials } from '../../shared/http/auth.ts';

export const ORIGIN = 'https://acme.atlassian.net';
export const basicCreds: Credentials = { kind: 'basic', email: 'me@acme.test', apiToken: 'ATATT-unit-test-token-123', source: 'the test' };

/** An HttpClient whose requests go to an undici MockAgent (no sockets), with instant, recorded sleeps. */
export function mockClient(opts: { credentials?: Credentials } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const sleeps: number[] = [];
  const client = new HttpClient({
    baseUrl: ORIGIN,
    credentials: opts.credentials ?? basicCreds,
    context: { org: 'acme', product: 'jira', site: 'acme.atlassian.net' },
    dispatcher: agent,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { client, pool, agent, sleeps };
}
