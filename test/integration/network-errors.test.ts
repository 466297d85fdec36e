import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { jira } from '../../functions/jira.ts';
import type { Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { tempDirs } from '../support/tmp.ts';

// What a user meets when the site URL is wrong or the server misbehaves at the network level: the message says
// what is wrong and what to do, and does not promise a resume that a local run cannot do.
const creds: Credentials = { kind: 'basic', email: 'a@example.com', apiToken: 'network-test-token', source: 'the test' };
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 };
const tmp = tempDirs('network-errors');
const unit = (siteUrl: string): Unit => ({ org: 'acme', product: 'jira', siteUrl, auth: { kind: 'basic' } });

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

describe('network failures', () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s)); // accepts, never answers
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('a closed port says nothing accepts connections there, and to check the URL', async () => {
    // Prepare: a port that was free a moment ago and has no listener.
    const probe = createServer();
    const port = await listen(probe);
    await new Promise<void>((r) => probe.close(() => r()));
    // Act
    const out = await runUnit({ id: 'refused', date: '2026-11-28' }, unit(`http://127.0.0.1:${port}`), async () => ({ module: jira, store: new LocalStore(await tmp()), credentials: creds, http: { retry: fastRetry } }));
    // Assess
    expect(out.error?.name).toBe('RetriesExhaustedError');
    expect(out.error?.message).toContain('connection refused (ECONNREFUSED)');
    expect(out.error?.message).toContain(`Nothing accepts connections at http://127.0.0.1:${port}: check the site URL and port`);
    expect(out.error?.message).not.toMatch(/resumes|rate limiting/);
  });

  it('an unknown host fails at once, naming the host', async () => {
    const out = await runUnit({ id: 'dns', date: '2026-11-28' }, unit('http://acme-collector-test.invalid'), async () => ({ module: jira, store: new LocalStore(await tmp()), credentials: creds, http: { retry: fastRetry } }));
    expect(out.error?.message).toContain('unknown host (ENOTFOUND); ENOTFOUND is not transient');
    expect(out.error?.message).toContain('No DNS name acme-collector-test.invalid exists: check the site URL');
  });

  it('a server that accepts and never answers says how long it waited and how to wait longer', async () => {
    const port = await listen(silent);
    const out = await runUnit({ id: 'silent', date: '2026-11-28' }, unit(`http://127.0.0.1:${port}`), async () => ({
      module: jira,
      store: new LocalStore(await tmp()),
      credentials: creds,
      http: { retry: fastRetry, timeoutMs: 1000 },
    }));
    expect(out.error?.message).toContain('no answer within 1 s');
    expect(out.error?.message).toContain('--timeout <seconds>');
  });
});
