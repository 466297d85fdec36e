/**
 * Atlassian Cloud's request budgets as simulator budgets ({@link ProductBudget}), enforced when the simulator
 * runs with `budgets`:
 *
 * - Jira, Confluence and JSM: the points-based hourly quota of "Rate limiting" (The Jira Cloud platform REST
 *   API, https://developer.atlassian.com/cloud/jira/platform/rate-limiting/; Confluence Cloud's page of the same
 *   name; facts sheet §9): a request costs 1 point plus one point per object it returns; every answer tells
 *   `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`, `X-RateLimit-NearLimit: true` below
 *   20 % and the policy `Beta-RateLimit-Policy: "tenant-app-quota";q=<quota>;w=<window s>` (the header seen on
 *   Atlassian's developer community, "2026 point-based rate limits"); a request beyond the quota gets 429 with
 *   `Retry-After` (seconds until the window reopens), `X-RateLimit-Reset` and `RateLimit-Reason`.
 * - The Admin API: "all API requests are subjected to rate limits", told in `X-RateLimit-Limit`,
 *   `X-RateLimit-Remaining` and `X-RateLimit-Reset` (an ISO-8601 date-time), with published figures per minute
 *   (admin-organizations.json narrative "Rate limits"); its 429 documents no `Retry-After`.
 *
 * The quota and the model live here; the product simulators only register them.
 */
import { hash32 } from './random.ts';
import type { BudgetRule, ProductBudget, RouteResult } from './server.ts';

/** Observed `Beta-RateLimit-Policy: "tenant-app-quota";q=100100;w=3600` (facts sheet §9; unverified as a contract). */
export const ATLASSIAN_QUOTA_DEFAULTS = { points: 100_100, windowMs: 3_600_000, policy: 'tenant-app-quota' } as const;

export interface AtlassianQuotaOptions {
  /** Points per window. @default 100100 */
  points?: number;
  /** Window length before the simulator's time scale. @default one hour */
  windowMs?: number;
  /**
   * Whose requests the quota counts. Atlassian: the quota applies to Forge, Connect and OAuth 2.0 (3LO) apps;
   * "API token-based traffic is not affected" (facts sheet §9). `bearer` counts Bearer callers only; `every`
   * counts every authenticated caller (tests that pace an API-token collector on the quota's headers).
   * @default 'bearer'
   */
  callers?: 'bearer' | 'every';
  /** Points per object returned. @default 1 */
  pointsPerObject?: number;
}

/** `RateLimit-Reason` of the quota by product (Jira's documented value; Confluence's is unverified). */
const QUOTA_REASON: Record<'jira' | 'confluence' | 'jsm', string> = {
  jira: 'jira-quota-tenant-based',
  jsm: 'jira-quota-tenant-based',
  confluence: 'confluence-quota-tenant-based',
};

function authorization(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const raw = headers.authorization;
  return String(Array.isArray(raw) ? raw[0] : (raw ?? ''));
}

/**
 * Objects an answer returns: a bare array's items, else the items of every top-level array (`values`,
 * `results`, `data`, `members`...). A single object counts as one.
 */
export function objectsReturned(body: unknown): number {
  if (Array.isArray(body)) return body.length;
  if (body === null || typeof body !== 'object') return 0;
  let n = 0;
  for (const v of Object.values(body as Record<string, unknown>)) if (Array.isArray(v)) n += v.length;
  return n > 0 ? n : 1;
}

/**
 * `X-RateLimit-Reset`: `yyyy-MM-ddTHH:mmZ` rounded up to the minute as documented (facts sheet §9); under a
 * time scale (`scaled`) a minute is longer than the whole window, so the full ISO-8601 date-time instead.
 */
function resetAt(atMs: number, scaled: boolean): string {
  if (scaled) return new Date(atMs).toISOString();
  const minute = 60_000;
  return new Date(Math.ceil(atMs / minute) * minute).toISOString().slice(0, 16) + 'Z';
}

/** The points quota of Jira, Confluence or JSM (see the file comment). */
export function atlassianQuota(
  product: 'jira' | 'confluence' | 'jsm',
  errorBody: (status: number, message: string) => unknown,
  opts: AtlassianQuotaOptions = {},
): ProductBudget {
  const points = Math.max(1, Math.floor(opts.points ?? ATLASSIAN_QUOTA_DEFAULTS.points));
  const windowMs = Math.max(1, opts.windowMs ?? ATLASSIAN_QUOTA_DEFAULTS.windowMs);
  const perObject = Math.max(0, opts.pointsPerObject ?? 1);
  const callers = opts.callers ?? 'bearer';
  const reason = QUOTA_REASON[product];
  const rule: BudgetRule = {
    name: 'quota',
    kind: 'fixed',
    limit: points,
    windowMs,
    // Per tenant and app: the simulator serves one tenant, so per credential.
    callerOf: ({ headers }) => {
      const auth = authorization(headers);
      if (!auth || (callers === 'bearer' && !/^\s*bearer\s/i.test(auth))) return null;
      return String(hash32('atlassian-quota', auth));
    },
    cost: (answer: RouteResult) => 1 + perObject * (answer.status >= 200 && answer.status < 300 ? objectsReturned(answer.body) : 0),
    headers: (b) => ({
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(Math.max(0, b.remaining)),
      'x-ratelimit-reset': resetAt(b.reopenAt, b.windowMs !== windowMs),
      ...(b.remaining < b.limit * 0.2 ? { 'x-ratelimit-nearlimit': 'true' } : {}),
      'beta-ratelimit-policy': `"${ATLASSIAN_QUOTA_DEFAULTS.policy}";q=${b.limit};w=${+(b.windowMs / 1000).toFixed(3)}`,
    }),
  };
  return {
    rules: [rule],
    burstHeaders: true,
    tooMany: (r, { reopenAt, now }) => {
      const scaled = r.windowMs !== windowMs;
      return {
        body: errorBody(429, 'Rate limit exceeded.'),
        headers: {
          'retry-after': String(Math.max(1, Math.ceil((reopenAt - now) / 1000))),
          'x-ratelimit-limit': String(r.limit),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': resetAt(reopenAt, scaled),
          'x-ratelimit-nearlimit': 'true',
          'ratelimit-reason': reason,
        },
      };
    },
  };
}

export interface AdminRateLimitOptions {
  /** Requests per window per API key. @default 200 (the per-organization figure Atlassian publishes for last-active-dates) */
  perMinute?: number;
  /** @default one minute */
  windowMs?: number;
}

/** The Admin API's per-minute limit per API key (see the file comment). */
export function adminRateLimit(errorBody: (status: number, message: string) => unknown, opts: AdminRateLimitOptions = {}): ProductBudget {
  const rule: BudgetRule = {
    name: 'organization',
    kind: 'fixed',
    limit: Math.max(1, Math.floor(opts.perMinute ?? 200)),
    windowMs: Math.max(1, opts.windowMs ?? 60_000),
    callerOf: ({ headers }) => {
      const auth = authorization(headers);
      return auth ? String(hash32('admin-rate', auth)) : null;
    },
    headers: (b) => ({
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(Math.max(0, b.remaining)),
      'x-ratelimit-reset': new Date(b.reopenAt).toISOString(),
    }),
  };
  return {
    rules: [rule],
    burstHeaders: true,
    tooMany: (r, { reopenAt }) => ({
      body: errorBody(429, 'Too many requests: rate limit exceeded.'),
      headers: { 'x-ratelimit-limit': String(r.limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(reopenAt).toISOString() },
    }),
  };
}
