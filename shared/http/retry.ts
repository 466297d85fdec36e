/**
 * Retry decisions, kept pure so they can be tested with fake timers and fixed randomness.
 *
 * Atlassian: on 429 (and 503 with Retry-After) wait `Retry-After` seconds; else until
 * `X-RateLimit-Reset`; else exponential backoff with jitter. Retrying early only lengthens the wait.
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (facts sheet §9).
 */

export interface RetryPolicy {
  /** Attempts after the first one. @default 6 */
  readonly maxRetries: number;
  /** First backoff step. @default 500 */
  readonly baseDelayMs: number;
  /** Largest backoff step (before jitter). @default 30000 */
  readonly maxDelayMs: number;
  /**
   * Longest wait one invocation sleeps through; a longer ask ends the invocation with a checkpoint and
   * the workflow waits instead. @default 60000
   */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/** What went wrong with one attempt. */
export type AttemptFailure =
  | { kind: 'status'; status: number; headers: Record<string, string | string[] | undefined> }
  | { kind: 'network'; code: string }
  | { kind: 'timeout' }
  | { kind: 'bad-body' };

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  /** `waitMs`: the server asked for a wait longer than one invocation may sleep. */
  | { retry: false; reason: string; waitMs?: number };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Parse `Retry-After` (delta-seconds or HTTP-date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Parse `X-RateLimit-Reset` (ISO-8601, e.g. `2026-11-28T15:21Z`) into milliseconds from `now`. */
export function parseRateLimitReset(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value.trim());
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Full-jitter exponential backoff: a random delay in [step/2, step], step = base * 2^attempt capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Decide whether attempt number `attempt` (0 = first) that failed with `failure` is retried, and after how long.
 */
export function decideRetry(
  failure: AttemptFailure,
  attempt: number,
  policy: RetryPolicy,
  now: number,
  random: () => number,
): RetryDecision {
  if (failure.kind === 'status' && !RETRYABLE_STATUS.has(failure.status)) {
    return { retry: false, reason: `HTTP ${failure.status} is not retryable` };
  }
  if (failure.kind === 'status') {
    const asked =
      parseRetryAfter(header(failure.headers, 'retry-after'), now) ??
      (failure.status === 429 ? parseRateLimitReset(header(failure.headers, 'x-ratelimit-reset'), now) : undefined);
    if (asked !== undefined) {
      if (asked > policy.maxRetryAfterMs) {
        return {
          retry: false,
          reason: `server asked to wait ${Math.round(asked / 1000)} s, more than the ${Math.round(policy.maxRetryAfterMs / 1000)} s one invocation may sleep`,
          waitMs: asked,
        };
      }
      if (attempt >= policy.maxRetries) return { retry: false, reason: `gave up after ${attempt + 1} attempts`, waitMs: asked };
      // A little jitter on top of the server's ask, so parallel workers do not return in lockstep.
      return { retry: true, delayMs: asked + Math.round(random() * 250), reason: `HTTP ${failure.status}, server asked to wait` };
    }
    if (attempt >= policy.maxRetries) return { retry: false, reason: `gave up after ${attempt + 1} attempts` };
    return { retry: true, delayMs: backoffDelay(attempt, policy, random), reason: `HTTP ${failure.status}` };
  }
  if (failure.kind === 'network' && permanentNetworkCode(failure.code)) {
    // An unknown host or an untrusted certificate does not heal in seconds: fail now, saying what is wrong.
    return { retry: false, reason: `${failure.code} is not transient` };
  }
  if (attempt >= policy.maxRetries) {
    return { retry: false, reason: `gave up after ${attempt + 1} attempts` };
  }
  const reason = failure.kind === 'network' ? `connection error ${failure.code}` : failure.kind === 'timeout' ? 'timeout' : 'unreadable body';
  return { retry: true, delayMs: backoffDelay(attempt, policy, random), reason };
}

/** DNS and TLS failures: retrying cannot help. */
export function permanentNetworkCode(code: string): boolean {
  return code === 'ENOTFOUND' || tlsCode(code);
}

/** Node's TLS verification codes (`CERT_HAS_EXPIRED`, `SELF_SIGNED_CERT_IN_CHAIN`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_*`...). */
export function tlsCode(code: string): boolean {
  return /CERT|^ERR_TLS_|^ERR_SSL_|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(code);
}
