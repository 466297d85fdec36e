/**
 * Pacing to an API's published request budget: one mechanism for every product. A product declares, as
 * data ({@link RatePolicy}), which response headers tell its budgets and what its documentation says when
 * they are silent; {@link RateBudget} keeps, per site and credential, what was sent and what the server
 * told, and makes every request of that site wait until it fits:
 *
 * - it spends at most `share` of each budget per window (default 0.8: the rest is left to the customer's
 *   other tools), counting its own sends over a sliding window, which never exceeds a fixed window either;
 *   a budget counted in points (Atlassian's quota) divides the share by what one request costs, learned
 *   from how the told `remaining` falls;
 * - it stops while the server says fewer than the reserve remain (another client is spending the budget),
 *   and never sends into a budget the server says cannot pay for one more request;
 * - after a 429 it closes the gate for every worker and stream of the site until the window reopens:
 *   `Retry-After`, else the reset header, else the documented interval — no request in between.
 *
 * Atlassian Cloud: https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (facts sheet §9);
 * Trello: https://developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/; Bitbucket Cloud:
 * https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/.
 */
import { createHash } from 'node:crypto';
import { parseRateLimitReset, parseRetryAfter } from './retry.ts';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** One budget of an API: the headers that tell it (lower-case names) and the documented figures. */
export interface BudgetSpec {
  /** Names the budget in messages, e.g. 'token', 'key', 'tenant'. */
  readonly name: string;
  /** Documented window (ms), used when no header tells it. */
  readonly windowMs: number;
  /** Documented requests per window, used when no header tells it; absent: unknown until a header says. */
  readonly limit?: number;
  readonly headers?: {
    /** Requests allowed per window. */
    readonly limit?: string;
    /** Requests left in the current window. */
    readonly remaining?: string;
    /** Length of the window in ms (Trello's `x-rate-limit-api-token-interval-ms`). */
    readonly intervalMs?: string;
    /** When the window reopens, an ISO-8601 date-time (Atlassian's `X-RateLimit-Reset`). */
    readonly reset?: string;
    /**
     * Length of the window in seconds. `name;param` reads a parameter of a structured header: Atlassian's
     * `Beta-RateLimit-Policy: "tenant-app-quota";q=100100;w=3600` is `beta-ratelimit-policy;w`.
     */
    readonly windowSeconds?: string;
  };
  /** How long a 429 that names no wait (no `Retry-After`, no reset) closes the gate. @default the window */
  readonly reopenMs?: number;
}

export interface RatePolicy {
  /** The document the figures come from, named in messages. */
  readonly source: string;
  readonly budgets: readonly BudgetSpec[];
  /** Header of a 429 that names which limit refused it (Atlassian's `RateLimit-Reason`), quoted in messages. */
  readonly reasonHeader?: string;
}

/**
 * Jira, Confluence, JSM, Assets and the Admin API: `X-RateLimit-Limit/-Remaining/-Reset`, `Retry-After` and
 * `RateLimit-Reason` (facts sheet §9, Atlassian's "Rate limiting" page; the Admin API's "Rate limits", whose
 * published figures are per minute and whose reset is told the same way). What the headers tell is whichever limit the site applies
 * to the credential: the points-based hourly quota (OAuth 2.0 apps; its window told by the
 * `Beta-RateLimit-Policy` header's `w`, its remaining in points, a request costing 1 point plus its objects) or
 * the per-second burst limit (API tokens; figure unpublished, window one second). Points or requests, the
 * client learns what one request costs from how `remaining` falls ({@link RateBudget}).
 */
export const ATLASSIAN_CLOUD_RATE: RatePolicy = {
  source: 'Atlassian Cloud "Rate limiting" (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/)',
  reasonHeader: 'ratelimit-reason',
  budgets: [
    {
      name: 'tenant',
      windowMs: 1000,
      headers: {
        limit: 'x-ratelimit-limit',
        remaining: 'x-ratelimit-remaining',
        reset: 'x-ratelimit-reset',
        windowSeconds: 'beta-ratelimit-policy;w',
      },
    },
  ],
};

/** How a unit spends a budget: its share, the budget when no header tells it, and the test time scale. */
export interface PacingOptions {
  readonly policy: RatePolicy;
  /** Share of each budget this collector may spend, 0 < share ≤ 1. @default 0.8 */
  readonly share?: number;
  /** Requests per window of the first budget, when the credential has more than documented (Bitbucket's scaled limits). */
  readonly limit?: number;
  /** Divides every documented window (tests and the benchmark compress time); header values are used as told. @default 1 */
  readonly timeScale?: number;
}

export const DEFAULT_RATE_LIMIT_SHARE = 0.8;

interface BudgetState {
  readonly spec: BudgetSpec;
  /** Send times within the window, oldest first (`head` is the first live one). */
  sends: number[];
  head: number;
  /** From the headers, when told. */
  toldLimit?: number;
  toldWindowMs?: number;
  /** What the server said was left, minus what was sent since; and when that window reopens. */
  remaining?: { left: number; until: number; slack: number; others: number; resetTold: boolean };
  /**
   * What one request costs in the unit `remaining` counts: 1 for a request budget, more for a points quota
   * (Atlassian's: 1 point plus one per object returned). Learned from how `remaining` falls between answers.
   */
  cost: number;
  /** The last answer that told `remaining`: to learn {@link cost} from the next one. */
  lastTold?: { seq: number; remaining: number; until: number | undefined };
}

/** What {@link RateBudget.acquire} hands back: give it to {@link RateBudget.observe} with the answer. */
export interface Permit {
  readonly seq: number;
  /** When it left (the clock of {@link RateBudget}): its entry in each budget's send times until its answer. */
  readonly sentAt: number;
  /** Per budget: this client's sends within the window when this one left, itself included. */
  readonly live: readonly number[];
}

/**
 * The budget of one site and credential, shared by every stream and worker of the site (and every unit of
 * the process that uses the same site and credential). Time comes from `now`, injected in tests; the
 * caller sleeps ({@link RateBudget.waitMs}) and tries again.
 */
export class RateBudget {
  private readonly states: BudgetState[];
  private readonly share: number;
  private readonly scale: number;
  private closedUntil = 0;
  private closedBy = '';
  private seq = 0;
  private inFlight = 0;
  /** Most requests ever in flight at once: how many answers can overtake one another. */
  private peakInFlight = 0;
  private lastUsed: number;
  /** Answers that came back (counted up to 2: the second tells what a request costs). */
  private answers = 0;

  constructor(
    private readonly options: PacingOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.share = Math.min(1, Math.max(0.01, options.share ?? DEFAULT_RATE_LIMIT_SHARE));
    this.scale = Math.max(1e-9, options.timeScale ?? 1);
    this.states = options.policy.budgets.map((spec) => ({ spec, sends: [], head: 0, cost: 1 }));
    this.lastUsed = this.now();
  }

  /** How long until a request may be sent (0: now), and which budget holds it. */
  waitMs(): { ms: number; reason: string } {
    const now = this.now();
    let ms = 0;
    let reason = '';
    const later = (until: number, why: string): void => {
      if (until - now > ms) {
        ms = until - now;
        reason = why;
      }
    };
    if (this.closedUntil > now) later(this.closedUntil, this.closedBy);
    this.states.forEach((s, i) => {
      const windowMs = this.windowOf(s);
      const limit = this.limitOf(s, i);
      while (s.head < s.sends.length && (s.sends[s.head] ?? 0) <= now - windowMs) s.head++;
      if (s.head > 1024) {
        s.sends = s.sends.slice(s.head);
        s.head = 0;
      }
      if (limit !== undefined) {
        const r = s.remaining && s.remaining.until > now ? s.remaining : undefined;
        const reserve = limit - Math.floor(limit * this.share);
        if (r?.resetTold) {
          // The server tells what is left of its window and when that window reopens (Atlassian's
          // X-RateLimit-Reset): keep the share on what it tells, whoever spent it, until the reset. (Own sends
          // cannot be priced before their answers: a points quota charges each request by what it returns.)
          if (r.left < reserve) later(r.until, `${s.spec.name} budget: ${Math.max(0, Math.round(r.left))} left until the reset, the ${reserve} kept for other tools`);
        } else {
          // The share in requests: the budget's share divided by what one request costs (1 unless points).
          const cap = Math.max(1, Math.floor((limit * this.share) / s.cost));
          const live = s.sends.length - s.head;
          // Own sends over a sliding window: at most `cap` in any window, so never more in a fixed one either.
          if (live >= cap) later((s.sends[s.sends.length - cap] ?? now) + windowMs, `${s.spec.name} budget: ${cap} requests per ${Math.round(windowMs)} ms used`);
          // The server says less than the reserve is left: another client is spending this budget. Wait until
          // its window reopens.
          // (Up to as many as were ever in flight together may still be this client's own: the server counts
          // by arrival, this client by sending.)
          if (r && r.others > this.peakInFlight * s.cost && r.left + r.slack * s.cost < reserve) {
            later(r.until, `${s.spec.name} budget: ${Math.max(0, Math.round(r.left))} left, below the ${reserve} kept for other tools`);
          }
        }
        // Whoever spent it, never send into a budget the server says has no room for one more request.
        if (r && r.left < s.cost) later(r.until, `${s.spec.name} budget: ${Math.max(0, Math.round(r.left))} left, less than one request costs (${Math.round(s.cost)})`);
      }
    });
    return { ms: Math.max(0, Math.ceil(ms)), reason };
  }

  /** Take a send slot now if one is free; null otherwise (then wait {@link waitMs} and try again). */
  tryAcquire(): Permit | null {
    if (this.waitMs().ms > 0) return null;
    const now = this.now();
    this.lastUsed = now;
    const live: number[] = [];
    for (const s of this.states) {
      s.sends.push(now);
      live.push(s.sends.length - s.head);
      if (s.remaining) s.remaining.left -= s.cost;
    }
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    return { seq: ++this.seq, sentAt: now, live };
  }

  /**
   * Learn from an answer: the budgets its headers tell, and on 429 close the gate for everyone until the
   * window reopens (`Retry-After`, else the reset header, else the documented interval).
   */
  observe(permit: Permit, status: number, headers: Headers): void {
    this.settle(permit);
    this.answers = Math.min(2, this.answers + 1);
    const now = this.now();
    const sentSince = this.seq - permit.seq;
    let spentReopen: number | undefined;
    for (const [i, s] of this.states.entries()) {
      const h = s.spec.headers;
      const limit = num(headers, h?.limit);
      if (limit !== undefined && limit > 0) s.toldLimit = limit;
      const interval = num(headers, h?.intervalMs);
      if (interval !== undefined && interval > 0) s.toldWindowMs = interval;
      const windowSeconds = num(headers, h?.windowSeconds);
      if (windowSeconds !== undefined && windowSeconds > 0) s.toldWindowMs = windowSeconds * 1000;
      const resetIn = h?.reset ? parseRateLimitReset(one(headers, h.reset), now) : undefined;
      const remaining = num(headers, h?.remaining);
      if (remaining !== undefined) {
        this.learnCost(s, permit.seq, remaining, resetIn === undefined ? undefined : now + resetIn);
        // What the server counted when this request arrived, less what this client sent after it.
        // (`slack`: requests sent after this one may have arrived first and be counted twice; at most as many
        // as were ever in flight together.) What others spent: the server's count beyond this client's own
        // sends of the window before this one left (the server's window started within it) and those sent
        // after it that may have arrived first. Only others' spending makes the reserve a reason to stop: a
        // lone client's sliding window already keeps it out of the reserve.
        const slack = Math.min(sentSince, this.peakInFlight);
        const limitNow = this.limitOf(s, i);
        const others = limitNow === undefined ? 0 : limitNow - remaining - ((permit.live[i] ?? 0) + slack) * s.cost;
        s.remaining = { left: remaining - sentSince * s.cost, until: now + (resetIn ?? this.windowOf(s)), slack, others, resetTold: resetIn !== undefined };
      }
      // A 429 that says this budget is spent reopens with its reset header, else its documented interval.
      if (status === 429 && (resetIn !== undefined || remaining === 0)) spentReopen = Math.max(spentReopen ?? 0, now + (resetIn ?? this.reopenOf(s)));
    }
    if (status !== 429) return;
    const retryAfter = parseRetryAfter(one(headers, 'retry-after'), now);
    // Retry-After wins; else the reset header or the interval of the budget the 429 says is spent; else (a
    // bare 429, as Trello and Bitbucket send) the documented interval of the first budget.
    const first = this.states[0];
    const until = retryAfter !== undefined ? now + retryAfter : (spentReopen ?? now + (first ? this.reopenOf(first) : 1000));
    if (until > this.closedUntil) {
      const reasonHeader = this.options.policy.reasonHeader;
      const reason = reasonHeader ? one(headers, reasonHeader) : undefined;
      const which = reason ? ` (${reasonHeader}: ${reason.slice(0, 60)})` : '';
      this.closedUntil = until;
      this.closedBy =
        retryAfter !== undefined
          ? `HTTP 429${which}, Retry-After ${Math.ceil(retryAfter / 1000)} s`
          : `HTTP 429${which}, the window reopens in ${Math.ceil((until - now) / 1000)} s (${this.options.policy.source})`;
    }
  }

  /**
   * What one request costs, from how far `remaining` fell since the last answer that told it, per request sent
   * in between (others' spending included: an overestimate only slows this client). Only answers that arrive
   * in sending order and within one window (the same reset) count; never below 1.
   */
  private learnCost(s: BudgetState, seq: number, remaining: number, until: number | undefined): void {
    const last = s.lastTold;
    if (last && seq <= last.seq) return;
    s.lastTold = { seq, remaining, until };
    if (!last) return;
    const sameWindow = until === undefined ? last.until === undefined : last.until !== undefined && Math.abs(until - last.until) < 1000;
    const fell = last.remaining - remaining;
    if (!sameWindow || fell <= 0) return;
    const observed = Math.max(1, fell / (seq - last.seq));
    // Up at once, down slowly: a page of many objects after a few small ones must not overdraw the budget.
    const next = observed >= s.cost ? observed : 0.8 * s.cost + 0.2 * observed;
    // (Within 5 % of what was just observed is what was observed: a request budget's cost settles at exactly 1.)
    s.cost = Math.max(1, next < observed * 1.05 ? observed : next);
  }

  /**
   * Whether a request is out and fewer than two answers have come back: the headers that tell the budget come
   * with the first, what one request costs with the second (how far `remaining` fell), and a page of a points
   * quota may cost a hundred requests' worth, so the client sends one request at a time until then.
   */
  firstAnswerPending(): boolean {
    return this.answers < 2 && this.inFlight > 0;
  }

  /** A request that got no answer (connection error, timeout): it no longer counts as in flight. */
  abandon(permit: Permit): void {
    this.settle(permit);
  }

  /**
   * The request is over: it counts in the sliding windows from its answer on, not from when it left. The server
   * counts a request when it arrives, somewhere between the two; a request that took long to arrive (a loaded
   * client or network) would otherwise leave this client's window before it leaves the server's, and the next
   * send would be one too many there. All send times are at most now, so the entry moves to the end and the
   * times stay sorted.
   */
  private settle(permit: Permit): void {
    const now = this.now();
    this.lastUsed = now;
    this.inFlight = Math.max(0, this.inFlight - 1);
    for (const s of this.states) {
      const i = s.sends.lastIndexOf(permit.sentAt);
      if (i >= s.head) s.sends.splice(i, 1);
      s.sends.push(now);
    }
  }

  private reopenOf(s: BudgetState): number {
    return s.spec.reopenMs !== undefined ? s.spec.reopenMs / this.scale : this.windowOf(s);
  }

  /** Until when this budget holds state the server still counts: after that, a fresh budget is equivalent. */
  liveUntil(): number {
    let w = 0;
    for (const s of this.states) w = Math.max(w, this.windowOf(s));
    return Math.max(this.closedUntil, this.lastUsed + w);
  }

  private windowOf(s: BudgetState | undefined): number {
    if (!s) return 1000;
    return s.toldWindowMs ?? s.spec.windowMs / this.scale;
  }

  private limitOf(s: BudgetState, index: number): number | undefined {
    return s.toldLimit ?? (index === 0 && this.options.limit !== undefined ? this.options.limit : s.spec.limit);
  }
}

function one(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function num(h: Headers, name: string | undefined): number | undefined {
  if (!name) return undefined;
  const [header = '', param] = name.split(';');
  const v = param === undefined ? one(h, header) : structuredParam(one(h, header), param);
  if (v === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(v)) return undefined;
  return Number(v);
}

/** A parameter of a structured header's first item: `"tenant-app-quota";q=100100;w=3600` → `w` is `3600`. */
function structuredParam(value: string | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  const first = value.split(',')[0] ?? '';
  for (const part of first.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === param) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Budgets by site origin and credential. The key holds a hash of the credential, never the secret.
 *
 * A module-level registry outlives one Lambda invocation in a warm container. That is safe, and wanted: an
 * entry only holds requests really sent to that site with that credential within the budget's window, which
 * the server still counts too; {@link RateBudgetRegistry.get} drops entries whose windows have all passed,
 * so nothing older than a window ever changes behaviour.
 */
export class RateBudgetRegistry {
  private readonly budgets = new Map<string, RateBudget>();

  get(origin: string, credentialId: string, options: PacingOptions, now: () => number = Date.now): RateBudget {
    const key = `${origin}\u0000${credentialId}\u0000${options.policy.source}\u0000${options.share ?? ''}\u0000${options.limit ?? ''}\u0000${options.timeScale ?? ''}`;
    const t = now();
    for (const [k, b] of this.budgets) if (b.liveUntil() < t) this.budgets.delete(k);
    let b = this.budgets.get(key);
    if (!b) this.budgets.set(key, (b = new RateBudget(options, now)));
    return b;
  }

  get size(): number {
    return this.budgets.size;
  }
}

/** The process-wide registry (see {@link RateBudgetRegistry} on why that is safe). */
export const sharedRateBudgets = new RateBudgetRegistry();

/** A stable identity of a credential for keying budgets: a hash, never the secret itself. */
export function credentialId(credentials: object): string {
  const { source: _source, ...rest } = credentials as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}
