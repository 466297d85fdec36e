import { describe, expect, it } from 'vitest';
import { AuthenticationError, NotFoundError, PermissionError, RateLimitedError, RetriesExhaustedError } from '../../shared/errors.ts';
import { basicCreds, mockClient } from '../support/mock-http.ts';

describe('HttpClient', () => {
  it('sends HTTP basic auth built from e-mail and API token', async () => {
    const { client, pool } = mockClient();
    const expected = `Basic ${Buffer.from(`${basicCreds.kind === 'basic' ? `${basicCreds.email}:${basicCreds.apiToken}` : ''}`).toString('base64')}`;
    pool.intercept({ path: '/a', headers: { authorization: expected } }).reply(200, { ok: true });
    expect((await client.json({ path: '/a' })).body).toEqual({ ok: true });
  });

  it('sends a bearer token', async () => {
    const { client, pool } = mockClient({ credentials: { kind: 'bearer', token: 'oauth-access-token-1', source: 'env' } });
    pool.intercept({ path: '/a', headers: { authorization: 'Bearer oauth-access-token-1' } }).reply(200, []);
    expect((await client.json({ path: '/a' })).status).toBe(200);
  });

  it('waits what Retry-After asks on 429, then succeeds', async () => {
    const { client, pool, sleeps } = mockClient();
    pool.intercept({ path: '/a' }).reply(429, { errorMessages: ['Rate limit exceeded.'] }, { headers: { 'retry-after': '3' } });
    pool.intercept({ path: '/a' }).reply(200, [1]);
    expect((await client.json({ path: '/a' })).body).toEqual([1]);
    expect(sleeps).toEqual([3000 + 125]);
    expect(client.counters).toEqual({ requests: 2, retries: 1, throttled: 1 });
  });

  it('retries 5xx and connection resets with backoff', async () => {
    const { client, pool, sleeps } = mockClient();
    pool.intercept({ path: '/a' }).reply(503, 'down');
    pool.intercept({ path: '/a' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    pool.intercept({ path: '/a' }).reply(200, '{"ok":1}');
    expect((await client.json({ path: '/a' })).body).toEqual({ ok: 1 });
    expect(sleeps).toEqual([375, 750]);
  });

  it('retries a truncated JSON body', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/a' }).reply(200, '{"values":[{"id":');
    pool.intercept({ path: '/a' }).reply(200, '{"values":[]}');
    expect((await client.json({ path: '/a' })).body).toEqual({ values: [] });
  });

  it('gives up after the retry limit with a message that names the endpoint and what to do', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/rest/api/3/group/bulk' }).reply(500, 'boom').times(7);
    const err = await client.json({ path: '/rest/api/3/group/bulk' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as Error).message).toMatch(/^\[org acme, product jira, site acme\.atlassian\.net, endpoint GET \/rest\/api\/3\/group\/bulk, HTTP 500\] HTTP 500; gave up after 7 attempts/);
    expect((err as Error).message).toContain('run again later (in AWS the workflow retries the invocation from its checkpoint)');
  });

  it('a wait longer than one invocation may sleep becomes a RateLimitedError carrying the wait', async () => {
    const { client, pool, sleeps } = mockClient();
    pool.intercept({ path: '/a' }).reply(429, { errorMessages: ['Rate limit exceeded.'] }, { headers: { 'retry-after': '900' } });
    const err = await client.json({ path: '/a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(900_000);
    expect((err as Error).message).toContain('pauses 900 s at its last checkpoint');
    expect(sleeps).toEqual([]);
  });

  it('429s without guidance that outlast the retries pause the unit for the default time', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/a' }).reply(429, 'Rate limit for this resource has been exceeded').times(7);
    const err = await client.json({ path: '/a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(300_000);
  });

  it('fails at once on 401, says which credential to check, and never shows it', async () => {
    const { client, pool, sleeps } = mockClient();
    pool.intercept({ path: '/a' }).reply(401, { errorMessages: ['You are not authenticated.'], errors: {} });
    const err = await client.json({ path: '/a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).name).toBe('AuthenticationError');
    expect((err as Error).message).toContain('HTTP 401');
    expect((err as Error).message).toContain('the test');
    expect((err as Error).message).not.toContain('ATATT-unit-test-token-123');
    expect(JSON.stringify(err)).not.toContain('ATATT-unit-test-token-123');
    expect(sleeps).toEqual([]);
  });

  it('fails at once on 403 and names the permission the endpoint needs', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/rest/api/3/applicationrole' }).reply(403, { errorMessages: ['Forbidden'] });
    const err = await client.json({ path: '/rest/api/3/applicationrole', requires: "the 'Administer Jira' global permission" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect((err as Error).message).toContain("Grant the account the 'Administer Jira' global permission");
  });

  it('reports 404 as NotFoundError for the stream to decide', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/a' }).reply(404, { errorMessages: ['Group not found'] });
    await expect(client.json({ path: '/a' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to follow a next link to another origin (the token would go with it)', async () => {
    const { client } = mockClient();
    await expect(client.json({ path: 'https://evil.example/steal' })).rejects.toThrow(/another origin/);
  });
});
