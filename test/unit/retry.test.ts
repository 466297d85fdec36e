import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, defaultRetryPolicy, parseRateLimitReset, parseRetryAfter } from '../../shared/http/retry.ts';

const now = Date.parse('2026-11-28T12:00:00Z');
const mid = () => 0.5;

describe('retry decisions', () => {
  it('waits the seconds a 429 Retry-After asks for', () => {
    const d = decideRetry({ kind: 'status', status: 429, headers: { 'retry-after': '7' } }, 0, defaultRetryPolicy, now, () => 0);
    expect(d).toEqual({ retry: true, delayMs: 7000, reason: 'HTTP 429, server asked to wait' });
  });

  it('waits until X-RateLimit-Reset when a 429 has no Retry-After', () => {
    const d = decideRetry({ kind: 'status', status: 429, headers: { 'x-ratelimit-reset': '2026-11-28T12:01Z' } }, 0, defaultRetryPolicy, now, () => 0);
    expect(d.retry && d.delayMs).toBe(60_000);
  });

  it('honours Retry-After on a 503 too', () => {
    const d = decideRetry({ kind: 'status', status: 503, headers: { 'retry-after': '2' } }, 3, defaultRetryPolicy, now, () => 0);
    expect(d.retry && d.delayMs).toBe(2000);
  });

  it('backs off exponentially with jitter on 5xx without Retry-After', () => {
    const delays = [0, 1, 2, 3].map((a) => {
      const d = decideRetry({ kind: 'status', status: 502, headers: {} }, a, defaultRetryPolicy, now, mid);
      return d.retry ? d.delayMs : -1;
    });
    expect(delays).toEqual([375, 750, 1500, 3000]);
  });

  it('caps the backoff step at maxDelayMs', () => {
    expect(backoffDelay(20, defaultRetryPolicy, () => 1)).toBe(30_000);
    expect(backoffDelay(20, defaultRetryPolicy, () => 0)).toBe(15_000);
  });

  it('retries connection resets, timeouts and unreadable bodies', () => {
    for (const f of [{ kind: 'network', code: 'ECONNRESET' }, { kind: 'timeout' }, { kind: 'bad-body' }] as const) {
      expect(decideRetry(f, 0, defaultRetryPolicy, now, mid).retry).toBe(true);
    }
  });

  it('never retries 401, 403, 404 or 400', () => {
    for (const status of [400, 401, 403, 404]) {
      expect(decideRetry({ kind: 'status', status, headers: {} }, 0, defaultRetryPolicy, now, mid).retry).toBe(false);
    }
  });

  it('gives up after maxRetries', () => {
    const d = decideRetry({ kind: 'status', status: 500, headers: {} }, 6, defaultRetryPolicy, now, mid);
    expect(d).toEqual({ retry: false, reason: 'gave up after 7 attempts' });
  });

  it('refuses a wait longer than maxRetryAfterMs', () => {
    const d = decideRetry({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } }, 0, defaultRetryPolicy, now, mid);
    expect(d.retry).toBe(false);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRateLimitReset('2026-11-28T11:59Z', now)).toBe(0);
  });
});
