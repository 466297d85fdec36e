import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { BITBUCKET_RATE } from '../../functions/bitbucket.ts';
import { TRELLO_RATE } from '../../functions/trello.ts';
import { RateLimitedError } from '../../shared/errors.ts';
import { HttpClient } from '../../shared/http/client.ts';
import { ATLASSIAN_CLOUD_RATE, credentialId, RateBudget, RateBudgetRegistry, type PacingOptions, type Permit } from '../../shared/http/pacing.ts';
import { basicCreds, mockClient } from '../support/mock-http.ts';

/** A budget on a fake clock: `advance` moves time, `sendAll` takes every slot free now. */
function budgetOn(options: PacingOptions) {
  const clock = { now: 1_800_000_000_000 };
  const budget = new RateBudget(options, () => clock.now);
  const sendAll = (): Permit[] => {
    const out: Permit[] = [];
    for (let p = budget.tryAcquire(); p; p = budget.tryAcquire()) out.push(p);
    return out;
  };
  return { clock, budget, sendAll };
}

const trelloHeaders = (tokenRemaining: number, keyRemaining = 300 - (100 - tokenRemaining)) => ({
  'x-rate-limit-api-token-interval-ms': '10000',
  'x-rate-limit-api-token-max': '100',
  'x-rate-limit-api-token-remaining': String(tokenRemaining),
  'x-rate-limit-api-key-interval-ms': '10000',
  'x-rate-limit-api-key-max': '300',
  'x-rate-limit-api-key-remaining': String(keyRemaining),
});

describe('RateBudget', () => {
  it('spends at most 80 % of Trello\'s 100 requests per token window, then waits until the oldest send leaves the window', () => {
    const { clock, budget, sendAll } = budgetOn({ policy: TRELLO_RATE });
    expect(sendAll()).toHaveLength(80);
    expect(budget.waitMs().ms).toBe(10_000);
    clock.now += 10_000;
    expect(sendAll()).toHaveLength(80);
  });

  it('counts a request in the window from its answer, so one slow to arrive is still counted where the server counts it', () => {
    // Prepare: Trello's token window (10 s, 80 for this client); one request is answered 3 s after it left (it may
    // have reached the server only then), the others at once.
    const { clock, budget, sendAll } = budgetOn({ policy: TRELLO_RATE });
    const [slow, ...rest] = sendAll();
    for (const p of rest) budget.observe(p, 200, {});
    clock.now += 3_000;
    budget.observe(slow as Permit, 200, {});
    // Act: the window of the other 79 sends ends 10 s after they left.
    clock.now += 7_000;
    const next = sendAll();
    // Assess: 79 slots are free again; the slow one's only 10 s after its answer.
    expect(next).toHaveLength(79);
    expect(budget.waitMs().ms).toBe(3_000);
  });

  it('follows the window and limit the headers tell (a simulator with scaled windows)', () => {
    const { clock, budget, sendAll } = budgetOn({ policy: TRELLO_RATE });
    const first = budget.tryAcquire() as Permit;
    budget.observe(first, 200, { ...trelloHeaders(9), 'x-rate-limit-api-token-max': '10', 'x-rate-limit-api-token-interval-ms': '250' });
    expect(sendAll()).toHaveLength(7);
    expect(budget.waitMs().ms).toBe(250);
    clock.now += 250;
    expect(sendAll()).toHaveLength(8);
  });

  it('paces to the configured budget when no header tells it (Bitbucket\'s scaled hourly limit)', () => {
    const { budget, sendAll } = budgetOn({ policy: BITBUCKET_RATE, limit: 10_000, share: 0.5 });
    expect(sendAll()).toHaveLength(5_000);
    expect(budget.waitMs().ms).toBe(3_600_000);
  });

  it('after a 429 with Retry-After, lets no request through until exactly then', () => {
    const { clock, budget } = budgetOn({ policy: ATLASSIAN_CLOUD_RATE });
    const p = budget.tryAcquire() as Permit;
    budget.tryAcquire();
    budget.observe(p, 429, { 'retry-after': '3', 'x-ratelimit-reset': '2027-01-15T08:01Z' });
    expect(budget.tryAcquire()).toBeNull();
    expect(budget.waitMs().ms).toBe(3000);
    clock.now += 2999;
    expect(budget.tryAcquire()).toBeNull();
    clock.now += 1;
    expect(budget.tryAcquire()).not.toBeNull();
  });

  it('after a 429 without Retry-After, waits until the reset header', () => {
    const { clock, budget } = budgetOn({ policy: ATLASSIAN_CLOUD_RATE });
    const p = budget.tryAcquire() as Permit;
    budget.observe(p, 429, { 'x-ratelimit-reset': new Date(clock.now + 42_000).toISOString() });
    expect(budget.waitMs().ms).toBe(42_000);
  });

  it('after Trello\'s bare 429, waits the 10-second interval the headers told', () => {
    const { budget } = budgetOn({ policy: TRELLO_RATE });
    const p = budget.tryAcquire() as Permit;
    budget.observe(p, 200, trelloHeaders(99));
    const q = budget.tryAcquire() as Permit;
    budget.observe(q, 429, {});
    expect(budget.waitMs()).toEqual({ ms: 10_000, reason: expect.stringContaining('HTTP 429, the window reopens in 10 s') });
  });

  it('after Bitbucket\'s bare 429, waits the documented minute, scaled with the windows', () => {
    const { budget } = budgetOn({ policy: BITBUCKET_RATE, timeScale: 60 });
    budget.observe(budget.tryAcquire() as Permit, 429, {});
    expect(budget.waitMs().ms).toBe(1000);
  });

  it('stops while the server says less than the reserve is left (another client spends the budget)', () => {
    const { clock, budget } = budgetOn({ policy: TRELLO_RATE });
    const p = budget.tryAcquire() as Permit;
    budget.observe(p, 200, trelloHeaders(12));
    expect(budget.tryAcquire()).toBeNull();
    expect(budget.waitMs().ms).toBe(10_000);
    clock.now += 10_000;
    expect(budget.tryAcquire()).not.toBeNull();
  });

  it('counts what it sent after a request against the remaining that request\'s answer told', () => {
    const { budget } = budgetOn({ policy: TRELLO_RATE });
    const first = budget.tryAcquire() as Permit;
    for (let i = 0; i < 5; i++) budget.observe(budget.tryAcquire() as Permit, 200, trelloHeaders(99 - i - 1));
    // 27 left when the first arrived (others spent 72), 5 sent since: 22 left. It sends while at least the 20
    // kept for other tools are left, give or take the 2 that were in flight together (answers may overtake).
    budget.observe(first, 200, trelloHeaders(27));
    expect(Array.from({ length: 5 }, () => budget.tryAcquire()).every((p) => p !== null)).toBe(true);
    expect(budget.tryAcquire()).toBeNull();
  });

  it('does not take its own sends, counted in a server window that started at another moment, for another client\'s', () => {
    const { budget } = budgetOn({ policy: TRELLO_RATE });
    // 80 sends one after the other; the server counts one more of them (sent a window ago, arrived within it).
    for (let i = 0; i < 80; i++) budget.observe(budget.tryAcquire() as Permit, 200, trelloHeaders(100 - i - 2));
    expect(budget.waitMs()).toEqual({ ms: 10_000, reason: 'token budget: 80 requests per 10000 ms used' });
  });
});

describe('RateBudget on Atlassian\'s points quota', () => {
  const quotaHeaders = (now: number, remaining: number) => ({
    'x-ratelimit-limit': '1000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': new Date(now + 3_600_000).toISOString(),
    'beta-ratelimit-policy': '"tenant-app-quota";q=1000;w=3600',
  });

  it('learns what a request costs from how remaining falls, and keeps 20 % of the quota until the reset', () => {
    // Prepare: two answers, 51 points each (1 + 50 objects)
    const { clock, budget, sendAll } = budgetOn({ policy: ATLASSIAN_CLOUD_RATE });
    budget.observe(budget.tryAcquire() as Permit, 200, quotaHeaders(clock.now, 949));
    budget.observe(budget.tryAcquire() as Permit, 200, quotaHeaders(clock.now, 898));
    // Act
    const sent = sendAll();
    // Assess: 14 more requests of 51 points leave 184, below the 200 kept; nothing until the told reset
    expect(sent).toHaveLength(14);
    expect(budget.waitMs()).toEqual({ ms: 3_600_000, reason: 'tenant budget: 184 left until the reset, the 200 kept for other tools' });
  });

  it('after a 429 names the limit RateLimit-Reason gives and waits its Retry-After', () => {
    const { clock, budget } = budgetOn({ policy: ATLASSIAN_CLOUD_RATE });
    const reset = new Date(clock.now + 1_800_000).toISOString();
    budget.observe(budget.tryAcquire() as Permit, 429, { ...quotaHeaders(clock.now, 0), 'x-ratelimit-reset': reset, 'retry-after': '1800', 'ratelimit-reason': 'jira-quota-tenant-based' });
    expect(budget.waitMs()).toEqual({ ms: 1_800_000, reason: 'HTTP 429 (ratelimit-reason: jira-quota-tenant-based), Retry-After 1800 s' });
  });
});

describe('RateBudgetRegistry', () => {
  const opts: PacingOptions = { policy: TRELLO_RATE };

  it('gives every client of one site and credential the same budget', () => {
    const r = new RateBudgetRegistry();
    expect(r.get('https://api.trello.com', 'c1', opts)).toBe(r.get('https://api.trello.com', 'c1', opts));
    expect(r.get('https://api.trello.com', 'c2', opts)).not.toBe(r.get('https://api.trello.com', 'c1', opts));
    expect(r.get('https://other.example', 'c1', opts)).not.toBe(r.get('https://api.trello.com', 'c1', opts));
  });

  it('forgets a budget once its windows have passed', () => {
    let t = 1_800_000_000_000;
    const r = new RateBudgetRegistry();
    const b = r.get('https://api.trello.com', 'c1', opts, () => t);
    b.tryAcquire();
    t += 10_001;
    expect(r.get('https://api.trello.com', 'c1', opts, () => t)).not.toBe(b);
  });

  it('keys credentials by a hash that contains no secret', () => {
    const id = credentialId(basicCreds);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(id).toBe(credentialId({ ...basicCreds, source: 'elsewhere' }));
    expect(id).not.toBe(credentialId({ ...basicCreds, apiToken: 'another' }));
  });
});

describe('HttpClient with pacing', () => {
  it('after Trello\'s 429 without Retry-After, sends nothing until the 10-second window reopens, then succeeds', async () => {
    const { client, pool, sleeps } = mockClient({ pacing: { policy: TRELLO_RATE } });
    pool.intercept({ path: '/1/a' }).reply(429, { error: 'API_TOKEN_LIMIT_EXCEEDED', message: 'Rate limit exceeded' }, { headers: trelloHeaders(0) });
    pool.intercept({ path: '/1/a' }).reply(200, [1], { headers: trelloHeaders(99) });
    expect((await client.json({ path: '/1/a' })).body).toEqual([1]);
    expect(sleeps).toEqual([10_000]);
    expect(client.counters).toEqual({ requests: 2, retries: 1, throttled: 1 });
  });

  it('a window longer than one invocation may sleep pauses the unit for that window, not a default', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get('https://api.bitbucket.org').intercept({ path: '/2.0/a' }).reply(429, { type: 'error', error: { message: 'Rate limit for this resource has been exceeded' } });
    const client = new HttpClient({
      baseUrl: 'https://api.bitbucket.org',
      credentials: basicCreds,
      context: { org: 'acme', product: 'bitbucket', site: 'api.bitbucket.org' },
      dispatcher: agent,
      retry: { maxRetryAfterMs: 30_000 },
      sleep: async () => undefined,
      now: () => 1_800_000_000_000,
      pacing: { policy: BITBUCKET_RATE },
    });
    const err = await client.json({ path: '/2.0/a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(60_000);
    expect((err as Error).message).toContain('waiting 60 s');
  });
});
