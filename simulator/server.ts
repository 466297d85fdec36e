/**
 * Generic simulated Atlassian HTTP server: real sockets on 127.0.0.1, Atlassian-style auth, burst
 * rate limiting, and seeded faults. Products (Jira, ...) plug in as route tables; this file knows
 * nothing about any product's data.
 *
 * Spec pointers name Atlassian's published OpenAPI specs by file name (e.g. `jira-platform-v3.json#/paths/...`);
 * "facts sheet" sections (2, 3, 9, 10) are the auth, pagination, rate-limit and quirk notes drawn from those specs
 * and Atlassian's documentation.
 */
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hash32, unit, uuidFrom } from './random.ts';

export type FaultKind = '5xx' | 'reset' | 'slow' | 'truncated' | 'shortPage';
export const FAULT_KINDS: readonly FaultKind[] = ['5xx', 'reset', 'slow', 'truncated', 'shortPage'];

export interface FaultOptions {
  /** Probability that an eligible request gets a fault, default 0.1. */
  rate?: number;
  /** Which faults to draw from; default all of FAULT_KINDS. */
  kinds?: FaultKind[];
  /** How long a 'slow' response stalls before sending headers, default 5000. */
  slowMs?: number;
  /** A given request (method + full URL) gets at most this many faults, default 2. */
  maxPerRequest?: number;
  /** The first N requests answer 429 with Retry-After: 1, default 0. */
  rateLimitStorm?: number;
}

export interface Credentials {
  email: string;
  apiToken: string;
  bearerToken: string;
  /** Opsgenie API key (`Authorization: GenieKey <key>`), for products with `auth.genieKey`. @default 'sim-genie-key' */
  genieKey?: string;
  /** Trello API key and token (`Authorization: OAuth oauth_consumer_key=..., oauth_token=...`), for products with `auth.trello`. */
  trelloKey?: string;
  trelloToken?: string;
}

export interface SimulatorOptions {
  /** Default 1. Drives the cloud id and the fault sequence. */
  seed?: number;
  /** Added to every response, default 0. */
  latencyMs?: number;
  /** Token bucket per tenant; default false. `burst` defaults to `perSecond`. */
  rateLimit?: { perSecond: number; burst?: number } | false;
  /** Default: none. */
  faults?: FaultOptions;
  /**
   * Enforce each product's documented budget ({@link ProductSim.budget}: Trello's 10-second windows per token
   * and per key, Bitbucket's rolling hour). Windows are divided by `timeScale` (tests and the benchmark cannot
   * wait 10 s or an hour), and the headers report the scaled figures, so a client that follows the headers
   * follows the scaled windows. Default: off.
   */
  budgets?: { timeScale?: number } | boolean;
  /**
   * A request that arrives within this many ms after a 429 to the same caller may have been on its way
   * before the 429 was read, so it is not counted in `closedWindowRequests`. @default 200
   */
  inFlightGraceMs?: number;
  credentials?: Credentials;
  /**
   * Test support: called with every JSON answer sent in full (not the cut or reset ones of the faults), so a test can
   * check it against the operation's published response schema. Also on when the environment variable
   * `SIM_RECORD_RESPONSES` names a folder: each process appends its answers there as NDJSON (`<pid>.ndjson`).
   */
  onResponse?: (response: RecordedResponse) => void;
  /** Credentials that authenticate but lack admin rights: admin-only endpoints deny them. */
  limitedCredentials?: { email: string; apiToken: string; genieKey?: string; trelloToken?: string };
  products: ProductSim[];
}

/**
 * Access tokens issued at run time by simulated OAuth token endpoints (3LO refresh, Bitbucket client
 * credentials). Every product accepts them as Bearer wherever it accepts the static bearer token.
 */
export class AccessTokens {
  private readonly tokens = new Map<string, { until: number; usesLeft?: number }>();
  private seq = 0;
  constructor(private readonly seed: number) {}

  /**
   * Issue a token valid for `ttlMs`, and, with `uses`, for that many requests only: an expiry that tests can
   * rely on whatever the machine's speed (a token that lives 150 ms expires at a different request on a busy
   * machine, or twice inside one renewal).
   */
  issue(ttlMs: number, prefix = 'sim-access', uses?: number): string {
    const t = `${prefix}-${uuidFrom('access-token', this.seed, ++this.seq)}`;
    this.tokens.set(t, { until: Date.now() + ttlMs, ...(uses !== undefined ? { usesLeft: uses } : {}) });
    return t;
  }

  /** Whether `token` is valid for one more request (each call spends one use). */
  valid(token: string): boolean {
    const t = this.tokens.get(token);
    if (t === undefined || t.until <= Date.now()) return false;
    if (t.usesLeft === undefined) return true;
    if (t.usesLeft <= 0) return false;
    t.usesLeft--;
    return true;
  }

  revokeAll(): void {
    this.tokens.clear();
  }
}

export const DEFAULT_CREDENTIALS: Readonly<Credentials> = {
  email: 'collector@example.com',
  apiToken: 'sim-api-token',
  bearerToken: 'sim-bearer-token',
  genieKey: 'sim-genie-key-0000-4a1b-9c2d-collector',
  trelloKey: 'simtrellokey0123456789abcdef0123',
  trelloToken: 'sim-trello-token-collector-0123456789abcdef',
};
export const DEFAULT_LIMITED_CREDENTIALS: Readonly<{ email: string; apiToken: string; genieKey?: string; trelloToken?: string }> = {
  email: 'viewer@example.com',
  apiToken: 'sim-viewer-token',
  genieKey: 'sim-genie-key-0000-4a1b-9c2d-readonly',
  trelloToken: 'sim-trello-token-viewer-0123456789abcdef',
};

/** Who is calling: full admin, the limited (non-admin) account, or nobody. */
export type Principal = 'admin' | 'limited' | 'anonymous';
export type AuthScheme = 'basic' | 'bearer' | 'genie-key' | 'trello' | 'none';

export interface RouteContext {
  readonly method: string;
  /** Product path, with any `/ex/{product}/{cloudId}` gateway prefix removed. */
  readonly path: string;
  /** Decoded path parameters, by the names used in the route pattern. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Origin the client used, plus the gateway prefix when it came through one. Use for `self` links. */
  readonly baseUrl: string;
  readonly principal: Principal;
  /** Request headers (lower-case names). Routes with `ownAuth` read Authorization here. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Raw request body (POST/PUT), '' for GET. */
  readonly body: string;
  /** Runtime-issued access tokens (for token endpoints). */
  readonly tokens: AccessTokens;
  /**
   * Pass every page of items through this. Normally the identity; when the 'shortPage' fault was
   * drawn for this request it returns a non-empty proper prefix and `short: true` (tail truncation;
   * the route must then keep `isLast: false` and leave `maxResults` unchanged).
   */
  page<T>(items: readonly T[]): { items: T[]; short: boolean };
}

export interface RouteResult {
  status: number;
  /** Sent as JSON; with `contentType`, a string sent as it is. */
  body: unknown;
  headers?: Record<string, string>;
  /** A non-JSON answer (e.g. an HTML error page of the web server in front of the product). */
  contentType?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Pattern with `{name}` segments, e.g. `/rest/api/3/project/{projectIdOrKey}/role/{id}`. */
  path: string;
  /** Answers without credentials (wrong credentials still get 401). Default false. */
  anonymous?: boolean;
  /** When set, the limited account gets this status and message instead of the route's answer. */
  denyLimited?: { status: number; message: string };
  /** Paged route: eligible for the 'shortPage' fault (it must call `ctx.page`). */
  paged?: boolean;
  /**
   * The route checks credentials itself (OAuth token endpoints take client id/secret): the server's
   * auth is skipped, the principal is 'anonymous'. Default false.
   */
  ownAuth?: boolean;
  handle(ctx: RouteContext): RouteResult;
}

/**
 * A route whose handler is a top-level function of the tenant's state: `handle(state, ctx)`. A product's routes
 * are a table of these (data, not one closure over the tenant), bound to a tenant by {@link bindRoutes}.
 */
export interface TableRoute<S> extends Omit<Route, 'handle'> {
  handle(state: S, ctx: RouteContext): RouteResult;
}

/** A product's route table: method and path pattern → named handler, over the tenant's state `S`. */
export type RouteTable<S> = readonly TableRoute<S>[];

/** The routes of one tenant: each table entry with its handler given `state` (the server takes these). */
export function bindRoutes<S>(table: RouteTable<S>, state: S): Route[] {
  return table.map(({ handle, ...route }) => ({ ...route, handle: (ctx: RouteContext) => handle(state, ctx) }));
}

/**
 * Table entries for routes that check the request themselves (a Data Center personal access token, a version
 * gate) before their handler: `check` answers instead of the handler, or null to go on. `ownAuth`: the server's
 * own auth is skipped.
 */
export function selfChecked<S, R extends { method: Route['method']; path: string; paged?: boolean; handle(state: S, ctx: RouteContext): RouteResult }>(
  check: (state: S, ctx: RouteContext, route: R) => RouteResult | null,
): (route: R) => TableRoute<S> {
  return (route) => ({ method: route.method, path: route.path, ownAuth: true, paged: route.paged, handle: (state, ctx) => check(state, ctx, route) ?? route.handle(state, ctx) });
}

/** A table over a part of the tenant (e.g. its model) used in a table over the whole tenant: `part` picks it. */
export function onPart<S, P>(part: (state: S) => P, table: RouteTable<P>): TableRoute<S>[] {
  return table.map(({ handle, ...route }) => ({ ...route, handle: (state: S, ctx: RouteContext) => handle(part(state), ctx) }));
}

/**
 * One documented budget of a product, counted per caller: `fixed` windows of `windowMs` that open with the
 * caller's first request (Trello: "100 requests per 10 second interval for each token"), or a `rolling`
 * window (Bitbucket: "a one-hour rolling window").
 */
export interface BudgetRule {
  /** e.g. 'token', 'key', 'user'; names the stat and the 429. */
  name: string;
  kind: 'fixed' | 'rolling';
  limit: number;
  /** Documented window (ms), before the simulator's time scale. */
  windowMs: number;
  /** Whose budget the request spends; null: this rule does not count the request. */
  callerOf(req: { headers: Readonly<Record<string, string | string[] | undefined>>; path: string }): string | null;
  /** Headers that tell this budget on every answer (scaled figures). */
  headers?(b: { limit: number; remaining: number; windowMs: number; reopenAt: number }): Record<string, string>;
  /** What an answered request costs (Atlassian's points: 1 plus the objects returned). @default 1 */
  cost?(answer: RouteResult): number;
}

export interface ProductBudget {
  rules: BudgetRule[];
  /** The answer when `rule` is spent until `reopenAt` (epoch ms): body and headers (Trello sends no Retry-After). */
  tooMany(rule: BudgetRule, b: { reopenAt: number; now: number }): { body: unknown; headers: Record<string, string> };
  /**
   * The generic burst bucket tells its figures in X-RateLimit-* on answers this budget did not count (Atlassian
   * Cloud, whose quota and burst limit share those headers). Default: the bucket tells nothing to a product with
   * a budget of its own (Bitbucket reads X-RateLimit-Limit as its hourly figure).
   */
  burstHeaders?: boolean;
}

export interface ProductSim {
  name: string;
  /** The product's documented request budget, enforced when the simulator runs with `budgets`. */
  budget?: ProductBudget;
  /**
   * Product name in the OAuth / scoped-token gateway path `/ex/{gateway}/{cloudId}` (facts sheet §2),
   * e.g. 'jira'. Routes are served there too, to Bearer tokens only.
   */
  gateway?: string;
  routes: Route[];
  /**
   * How callers authenticate on the product's direct (non-gateway) paths. Jira/Confluence: Basic only
   * (facts sheet §2); the Admin API: Bearer API key only; Bitbucket: both (API token or OAuth).
   * @default { basic: true, bearer: false }
   */
  auth?: { basic?: boolean; bearer?: boolean; genieKey?: boolean; trello?: boolean };
  /** The product's own error body shape (`path` tells apart APIs of one product, e.g. Confluence v1 and v2). @default Jira's ErrorCollection ({@link errorBody}) */
  errorBody?(status: number, message: string, path: string): unknown;
  /** Account id for the `X-AAccountId` response header (jira narrative "Special headers"). */
  accountIdOf?(principal: Principal): string | undefined;
  /**
   * The web server in front of the product looks at the raw request first (e.g. Tomcat rejecting an encoded
   * solidus in the path): an answer here ends the request before routing, auth and faults. Every product's
   * screen sees every request to the simulator.
   */
  screen?(request: { method: string; rawUrl: string }): RouteResult | undefined;
}

export interface SimulatorStats {
  requests: number;
  /**
   * Requests sent into a closed window: beyond a budget (every budget or bucket 429), or arriving after a
   * 429 to the same caller and before the window it named reopened (those within `inFlightGraceMs` of the
   * 429 excepted: they were on their way). Injected 429s (`rateLimitStorm`) are not counted. A client that
   * paces to the budget sends none.
   */
  closedWindowRequests: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
  faults: Record<string, number>;
  /** Highest number of requests in progress at once (arrived, not yet answered or abandoned). */
  maxConcurrent: number;
}

/** One answer of the simulator, for checking it against the published specs (see {@link SimulatorOptions.onResponse}). */
export interface RecordedResponse {
  /** The simulated product ({@link ProductSim.name}); null when no route matched (404, 405, /_edge/tenant_info). */
  product: string | null;
  method: string;
  /** Product path as requested, with any `/ex/{product}/{cloudId}` gateway prefix removed, without the query. */
  path: string;
  /** The query string, '' or starting with `?`. */
  query: string;
  /** The simulator's route pattern, e.g. `GET /rest/api/3/group/member`; null when no route matched. */
  route: string | null;
  status: number;
  body: unknown;
}

export interface RequestLogEntry {
  method: string;
  url: string;
  /** Status sent; 0 when the client went away before anything was sent (e.g. during 'slow'). */
  status: number;
  authorization: AuthScheme;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Cloud id served by `/_edge/tenant_info`; gateway base is `${url}/ex/jira/${cloudId}`. */
  cloudId: string;
  credentials: Credentials;
  /** Access tokens issued by token endpoints; accepted as Bearer like the static token. */
  tokens: AccessTokens;
  limitedCredentials: { email: string; apiToken: string };
  /** Destroys open sockets too; never hangs. */
  close(): Promise<void>;
  stats(): SimulatorStats;
  /** Log for tests (the Authorization header value itself is never stored). */
  requests(): RequestLogEntry[];
  resetStats(): void;
  /**
   * Tests of a process dying mid-request: from the `n`-th request counted from now, no request gets an
   * answer (the server stays open, as an upstream that stopped responding). Resolves once that request
   * has arrived, so the caller knows the client is blocked inside it; `thaw()` answers everything held.
   */
  freezeAt(n: number): Promise<void>;
  thaw(): void;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

/** Jira's error body (jira-platform-v3.json narrative "Status codes": ErrorCollection). */
export function errorBody(...errorMessages: string[]): { errorMessages: string[]; errors: Record<string, string> } {
  return { errorMessages, errors: {} };
}

interface CompiledRoute {
  route: Route;
  product: ProductSim;
  segments: string[];
  name: string;
}

interface AttemptState {
  attempts: number;
  faults: number;
}

type Match = { kind: 'route'; compiled: CompiledRoute; params: Record<string, string> } | { kind: 'method' } | { kind: 'none' };

function compile(products: ProductSim[]): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  for (const product of products) {
    for (const route of product.routes) {
      out.push({ route, product, segments: route.path.split('/'), name: `${route.method} ${route.path}` });
    }
  }
  return out;
}

function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): Match {
  const parts = path.split('/');
  let methodMismatch = false;
  for (const compiled of routes) {
    if (compiled.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const seg = compiled.segments[i] ?? '';
      const part = parts[i] ?? '';
      if (seg.startsWith('{') && seg.endsWith('}')) {
        if (part === '') ok = false;
        else params[seg.slice(1, -1)] = safeDecode(part);
      } else if (seg !== part) ok = false;
    }
    if (!ok) continue;
    if (compiled.route.method !== method) {
      methodMismatch = true;
      continue;
    }
    return { kind: 'route', compiled, params };
  }
  return methodMismatch ? { kind: 'method' } : { kind: 'none' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function schemeOf(header: string | undefined): AuthScheme {
  if (!header) return 'none';
  const lower = header.trimStart().toLowerCase();
  if (lower.startsWith('basic ')) return 'basic';
  if (lower.startsWith('bearer ')) return 'bearer';
  if (lower.startsWith('geniekey ')) return 'genie-key';
  if (lower.startsWith('oauth ')) return 'trello';
  return 'none';
}

/** `yyyy-MM-ddTHH:mmZ`, rounded up to the minute (format given in facts sheet §9 for X-RateLimit-Reset). */
function resetHeader(atMs: number): string {
  const minute = 60_000;
  return new Date(Math.ceil(atMs / minute) * minute).toISOString().slice(0, 16) + 'Z';
}

export async function startSimulator(opts: SimulatorOptions & { port?: number }): Promise<Simulator> {
  const seed = opts.seed ?? 1;
  const latencyMs = Math.max(0, opts.latencyMs ?? 0);
  const credentials: Credentials = { ...DEFAULT_CREDENTIALS, ...opts.credentials };
  const limited = { ...DEFAULT_LIMITED_CREDENTIALS, ...opts.limitedCredentials };
  const cloudId = uuidFrom('cloudId', seed);
  const accessTokens = new AccessTokens(seed);
  const routes = compile(opts.products);
  const routesByGateway = new Map<string, CompiledRoute[]>();
  for (const r of routes) {
    if (!r.product.gateway) continue;
    const list = routesByGateway.get(r.product.gateway) ?? [];
    list.push(r);
    routesByGateway.set(r.product.gateway, list);
  }

  const recordDir = process.env.SIM_RECORD_RESPONSES;
  const record = (r: RecordedResponse): void => {
    opts.onResponse?.(r);
    if (recordDir) appendFileSync(`${recordDir}/${process.pid}.ndjson`, `${JSON.stringify(r)}\n`);
  };
  const recording = opts.onResponse !== undefined || (recordDir !== undefined && recordDir !== '');

  const faultsOn = opts.faults !== undefined;
  const faultRate = opts.faults?.rate ?? 0.1;
  const faultKinds = opts.faults?.kinds ?? [...FAULT_KINDS];
  const slowMs = opts.faults?.slowMs ?? 5000;
  const maxPerRequest = opts.faults?.maxPerRequest ?? 2;
  let stormLeft = opts.faults?.rateLimitStorm ?? 0;
  const attempts = new Map<string, AttemptState>();

  const rl = opts.rateLimit ? { perSecond: opts.rateLimit.perSecond, burst: opts.rateLimit.burst ?? opts.rateLimit.perSecond } : null;
  let tokens = rl?.burst ?? 0;
  let refilledAt = Date.now();

  const budgetsOn = opts.budgets !== undefined && opts.budgets !== false;
  const timeScale = typeof opts.budgets === 'object' ? Math.max(1e-9, opts.budgets.timeScale ?? 1) : 1;
  const graceMs = Math.max(0, opts.inFlightGraceMs ?? 200);
  /** Per caller (hash of its Authorization header): the window a 429 closed, from when it was sent until it reopens. */
  const closed = new Map<string, { from: number; until: number }>();
  /** Per product rule and caller: the fixed window's start and count, or the rolling window's arrival times. */
  const windows = new Map<string, { start: number; count: number; times: number[]; head: number }>();

  let stats: SimulatorStats = { requests: 0, closedWindowRequests: 0, byStatus: {}, byRoute: {}, faults: {}, maxConcurrent: 0 };
  let inFlight = 0;
  let log: RequestLogEntry[] = [];
  let requestSeq = 0;
  let freeze: { at: number; seen: number; reached: () => void; held: (() => void)[] } | null = null;

  const thaw = (): void => {
    const f = freeze;
    freeze = null;
    for (const release of f?.held ?? []) release();
  };

  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing: Promise<void> | null = null;

  const bump = (rec: Record<string, number>, key: string): void => {
    rec[key] = (rec[key] ?? 0) + 1;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (closing) return; // never resolves: the server is going away
      if (ms <= 0) {
        resolve();
        return;
      }
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  /** Token bucket (facts sheet §9: per-second burst limit per tenant). */
  const takeToken = (): { ok: true; remaining: number } | { ok: false; retryAfter: number } => {
    if (!rl) return { ok: true, remaining: 0 };
    const now = Date.now();
    tokens = Math.min(rl.burst, tokens + ((now - refilledAt) / 1000) * rl.perSecond);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return { ok: true, remaining: Math.floor(tokens) };
    }
    return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - tokens) / rl.perSecond)) };
  };

  /**
   * Count the request against every rule of the product's budget; the first spent rule refuses it (and it is
   * not counted). Adds the rules' headers to `out` on success.
   */
  const spendBudget = (
    budget: ProductBudget,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    path: string,
    out: Record<string, string>,
  ): { spent: { rule: BudgetRule; reopenAt: number } } | { charge: (answer: RouteResult) => void; counted: boolean } => {
    const now = Date.now();
    const counted: { rule: BudgetRule; w: { start: number; count: number; times: number[]; head: number }; windowMs: number }[] = [];
    for (const rule of budget.rules) {
      const who = rule.callerOf({ headers, path });
      if (who === null) continue;
      const windowMs = rule.windowMs / timeScale;
      const key = `${rule.name}\u0000${who}`;
      let w = windows.get(key);
      if (!w) windows.set(key, (w = { start: now, count: 0, times: [], head: 0 }));
      if (rule.kind === 'fixed') {
        if (now >= w.start + windowMs) {
          w.start = now;
          w.count = 0;
        }
        if (w.count >= rule.limit) return { spent: { rule, reopenAt: w.start + windowMs } };
      } else {
        while (w.head < w.times.length && (w.times[w.head] ?? 0) <= now - windowMs) w.head++;
        if (w.head > 4096) {
          w.times = w.times.slice(w.head);
          w.head = 0;
        }
        if (w.times.length - w.head >= rule.limit) return { spent: { rule, reopenAt: (w.times[w.head] ?? now) + windowMs } };
      }
      counted.push({ rule, w, windowMs });
    }
    for (const { rule, w, windowMs } of counted) {
      let remaining: number;
      let reopenAt: number;
      if (rule.kind === 'fixed') {
        w.count++;
        remaining = rule.limit - w.count;
        reopenAt = w.start + windowMs;
      } else {
        w.times.push(now);
        remaining = rule.limit - (w.times.length - w.head);
        reopenAt = (w.times[w.head] ?? now) + windowMs;
      }
      Object.assign(out, rule.headers?.({ limit: rule.limit, remaining, windowMs, reopenAt }) ?? {});
    }
    // A rule with a cost (fixed windows) charges the rest of it once the route has answered, and tells what is left then.
    const charge = (answer: RouteResult): void => {
      for (const { rule, w, windowMs } of counted) {
        if (!rule.cost || rule.kind !== 'fixed') continue;
        w.count += Math.max(0, rule.cost(answer) - 1);
        Object.assign(out, rule.headers?.({ limit: rule.limit, remaining: rule.limit - w.count, windowMs, reopenAt: w.start + windowMs }) ?? {});
      }
    };
    return { charge, counted: counted.length > 0 };
  };

  /** Deterministic from (seed, request key, attempt number); at most maxPerRequest per key. */
  const drawFault = (key: string, paged: boolean): { kind: FaultKind | null; state: AttemptState; attempt: number } => {
    const state = attempts.get(key) ?? { attempts: 0, faults: 0 };
    attempts.set(key, state);
    const attempt = state.attempts++;
    if (state.faults >= maxPerRequest || unit(seed, 'fault', key, attempt) >= faultRate) return { kind: null, state, attempt };
    const eligible = faultKinds.filter((k) => k !== 'shortPage' || paged);
    const kind = eligible[Math.floor(unit(seed, 'kind', key, attempt) * eligible.length)] ?? null;
    // shortPage only counts once the route actually shortened a page (see ctx.page).
    if (kind && kind !== 'shortPage') {
      state.faults++;
      bump(stats.faults, kind);
    }
    return { kind, state, attempt };
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const body = JSON.stringify(errorBody(`Simulator error: ${err instanceof Error ? err.message : String(err)}`));
        res.writeHead(500, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }
    });
  });
  // undici keeps idle sockets ~4 s; stay open longer so the client never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const authHeader = req.headers.authorization;
    const entry: RequestLogEntry = { method, url: rawUrl, status: 0, authorization: schemeOf(authHeader) };
    log.push(entry);
    stats.requests++;
    inFlight++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    const requestId = ++requestSeq;
    let clientGone = false;
    res.on('close', () => {
      inFlight--;
      if (!res.writableFinished) clientGone = true;
    });
    if (freeze && ++freeze.seen >= freeze.at) {
      const f = freeze;
      f.reached();
      await new Promise<void>((resolve) => f.held.push(resolve));
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const requestBody = Buffer.concat(chunks).toString('utf8');

    const host = req.headers.host ?? '127.0.0.1';
    const origin = `http://${host}`;
    const url = new URL(rawUrl, origin);
    const extraHeaders: Record<string, string> = { 'x-arequestid': `sim-${requestId}` };
    /** What answered, for {@link record}: set once a route matched. */
    let answering: { product: string; route: string; path: string } | null = null;

    const send = async (status: number, body: unknown, headers: Record<string, string> = {}, mode: 'normal' | 'reset' | 'truncated' = 'normal', contentType = JSON_TYPE): Promise<void> => {
      await sleep(latencyMs);
      if (clientGone || res.destroyed) {
        bump(stats.byStatus, '0');
        return;
      }
      const full = Buffer.from(contentType !== JSON_TYPE && typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
      entry.status = status;
      bump(stats.byStatus, String(status));
      const cut = Math.max(1, Math.floor(full.length / 2));
      if (mode === 'reset') {
        // Status line, headers and part of the body, then the connection dies mid-body.
        res.writeHead(status, { 'content-type': contentType, 'content-length': String(full.length), ...extraHeaders, ...headers });
        res.write(full.subarray(0, cut), () => res.socket?.destroy());
        return;
      }
      // 'truncated': a well-framed response whose JSON is cut in the middle (prefix of an
      // object/array is never valid JSON).
      const payload = mode === 'truncated' ? full.subarray(0, cut) : full;
      if (recording && mode === 'normal' && contentType === JSON_TYPE) {
        record({ product: answering?.product ?? null, method, path: answering?.path ?? url.pathname, query: url.search, route: answering?.route ?? null, status, body });
      }
      res.writeHead(status, { 'content-type': contentType, 'content-length': String(payload.length), ...extraHeaders, ...headers });
      res.end(payload);
    };

    for (const product of opts.products) {
      const screened = product.screen?.({ method, rawUrl });
      if (screened) {
        bump(stats.byRoute, `screened by ${product.name}`);
        return send(screened.status, screened.body, screened.headers ?? {}, 'normal', screened.contentType);
      }
    }

    // Cloud id lookup: no auth, never faulted or rate limited (facts sheet §2, support KB).
    if (url.pathname === '/_edge/tenant_info') {
      bump(stats.byRoute, 'GET /_edge/tenant_info');
      if (method !== 'GET') return send(405, errorBody('Method Not Allowed'));
      return send(200, { cloudId });
    }

    // OAuth 2.0 / scoped-token base: /ex/{product}/{cloudId}/... (facts sheet §2).
    let candidates: readonly CompiledRoute[] = routes;
    let path = url.pathname;
    let viaGateway = false;
    let baseUrl = origin;
    const gw = /^\/ex\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (gw) {
      const list = routesByGateway.get(gw[1] ?? '');
      if (!list || gw[2] !== cloudId) {
        bump(stats.byRoute, 'unmatched');
        return send(404, errorBody('Site not found.'));
      }
      candidates = list;
      path = gw[3] ?? '/';
      viaGateway = true;
      baseUrl = `${origin}/ex/${gw[1]}/${cloudId}`;
    }

    const match = matchRoute(candidates, method, path);
    if (match.kind !== 'route') {
      bump(stats.byRoute, 'unmatched');
      // Wording unverified: Jira answers unknown REST paths with a 404 ErrorCollection.
      if (match.kind === 'method') return send(405, errorBody('Method Not Allowed'));
      return send(404, errorBody('The requested resource could not be found.'));
    }
    const { compiled, params } = match;
    const route = compiled.route;
    answering = { product: compiled.product.name, route: compiled.name, path };
    bump(stats.byRoute, compiled.name);
    const productError = (status: number, message: string): unknown => compiled.product.errorBody?.(status, message, path) ?? errorBody(message);
    const productAuth = { basic: true, bearer: false, ...compiled.product.auth };

    // Auth (jira narrative "Authentication and authorization"; facts sheet §2): Basic email:token on
    // the site URL; Bearer only through the /ex gateway (3LO tokens are not accepted on the site).
    let principal: Principal = 'anonymous';
    const scheme = schemeOf(authHeader);
    if (route.ownAuth) {
      // checked by the route
    } else if (scheme === 'basic' && !viaGateway && productAuth.basic) {
      const decoded = Buffer.from((authHeader ?? '').trim().slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const email = colon >= 0 ? decoded.slice(0, colon) : decoded;
      const token = colon >= 0 ? decoded.slice(colon + 1) : '';
      if (email === credentials.email && token === credentials.apiToken) principal = 'admin';
      else if (email === limited.email && token === limited.apiToken) principal = 'limited';
    } else if (scheme === 'bearer' && (viaGateway || productAuth.bearer)) {
      const presentedToken = (authHeader ?? '').trim().slice(7).trim();
      if (presentedToken === credentials.bearerToken || accessTokens.valid(presentedToken)) principal = 'admin';
    } else if (scheme === 'genie-key' && !viaGateway && productAuth.genieKey) {
      // Opsgenie: "Authorization: GenieKey <key>" (https://docs.opsgenie.com/docs/authentication).
      const key = (authHeader ?? '').trim().slice(9).trim();
      if (key === credentials.genieKey) principal = 'admin';
      else if (limited.genieKey !== undefined && key === limited.genieKey) principal = 'limited';
    } else if (scheme === 'trello' && !viaGateway && productAuth.trello) {
      // Trello: `OAuth oauth_consumer_key="<key>", oauth_token="<token>"`
      // (https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/).
      const fields = new Map([...(authHeader ?? '').matchAll(/(oauth_[a-z_]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
      if (fields.get('oauth_consumer_key') === credentials.trelloKey) {
        const t = fields.get('oauth_token');
        if (t === credentials.trelloToken) principal = 'admin';
        else if (limited.trelloToken !== undefined && t === limited.trelloToken) principal = 'limited';
      }
    }
    const presented = authHeader !== undefined && authHeader !== '';
    if (!route.ownAuth && principal === 'anonymous' && (presented || !route.anonymous)) {
      // jira narrative "Status codes"; 401 for missing or wrong credentials.
      return send(401, productError(401, 'You are not authenticated. Authentication required to perform this operation.'));
    }
    const accountId = compiled.product.accountIdOf?.(principal);
    if (accountId) extraHeaders['x-aaccountid'] = accountId;

    const caller = String(hash32(authHeader ?? ''));
    const closeWindow = (until: number): void => {
      const now = Date.now();
      const prev = closed.get(caller);
      const open = prev !== undefined && prev.until > now;
      closed.set(caller, { from: open ? prev.from : now, until: Math.max(until, open ? prev.until : 0) });
    };
    const tooMany = (retryAfter: number): Promise<void> => {
      closeWindow(Date.now() + retryAfter * 1000);
      // Facts sheet §9: 429 + Retry-After (seconds), X-RateLimit-*, RateLimit-Reason.
      // A product with a documented budget of its own (Bitbucket's hour, Trello's windows) reads X-RateLimit-* as
      // that budget: the generic burst bucket's 429 then tells only how long to wait.
      if (compiled.product.budget && !compiled.product.budget.burstHeaders) return send(429, productError(429, 'Rate limit exceeded.'), { 'retry-after': String(retryAfter) });
      return send(429, productError(429, 'Rate limit exceeded.'), {
        'retry-after': String(retryAfter),
        // The limit and what is left only when a bucket is on: a storm alone has no budget to tell.
        ...(rl ? { 'x-ratelimit-limit': String(rl.burst), 'x-ratelimit-remaining': '0' } : {}),
        'x-ratelimit-reset': resetHeader(Date.now() + retryAfter * 1000),
        'ratelimit-reason': 'jira-burst-based',
      });
    };
    // A request into a window a 429 closed: counted, and refused again (facts sheet §9: "retrying early gives
    // the same or longer wait"), unless it was on its way when the 429 left.
    const shut = closed.get(caller);
    const arrived = Date.now();
    if (shut && arrived < shut.until && arrived >= shut.from + graceMs) {
      stats.closedWindowRequests++;
      bump(stats.faults, 'closedWindow');
      const budget = budgetsOn ? compiled.product.budget : undefined;
      const rule = budget?.rules[0];
      if (!budget || !rule) return tooMany(Math.max(1, Math.ceil((shut.until - arrived) / 1000)));
      // The product's own 429 (Trello's names no wait); the window stays as the first 429 set it.
      const answer = budget.tooMany(rule, { reopenAt: shut.until, now: arrived });
      return send(429, answer.body, answer.headers);
    }
    let charge: ((answer: RouteResult) => void) | undefined;
    let budgetTold = false;
    if (budgetsOn && compiled.product.budget) {
      const spending = spendBudget(compiled.product.budget, req.headers, path, extraHeaders);
      if ('spent' in spending) {
        const { spent } = spending;
        // Beyond the budget: the client sent more than the window allows, in flight or not.
        stats.closedWindowRequests++;
        bump(stats.faults, 'rateLimited');
        closeWindow(spent.reopenAt);
        const answer = compiled.product.budget.tooMany(spent.rule, { reopenAt: spent.reopenAt, now: arrived });
        return send(429, answer.body, answer.headers);
      }
      charge = spending.charge;
      budgetTold = spending.counted;
    }
    if (stormLeft > 0) {
      stormLeft--;
      bump(stats.faults, 'rateLimitStorm');
      return tooMany(1);
    }
    const bucket = takeToken();
    if (!bucket.ok) {
      bump(stats.faults, 'rateLimited');
      stats.closedWindowRequests++;
      return tooMany(bucket.retryAfter);
    }
    // The generic burst bucket tells its figures in Atlassian Cloud's X-RateLimit-* headers; a product with a documented
    // budget of its own (Bitbucket's hour, Trello's 10 s windows) tells only that budget's headers, as the real API does
    // (Bitbucket sends X-RateLimit-Limit, an hourly figure, only to access tokens on scaled endpoints).
    if (rl && (!compiled.product.budget || (compiled.product.budget.burstHeaders && !budgetTold))) {
      extraHeaders['x-ratelimit-limit'] = String(rl.burst);
      extraHeaders['x-ratelimit-remaining'] = String(bucket.remaining);
      if (bucket.remaining < rl.burst * 0.2) extraHeaders['x-ratelimit-nearlimit'] = 'true';
    }

    const key = `${method} ${rawUrl}`;
    const drawn = faultsOn ? drawFault(key, route.paged === true) : null;
    const fault = drawn?.kind ?? null;
    if (fault === '5xx' && drawn) {
      // Facts sheet §9: some 5xx (e.g. 503) carry Retry-After.
      const u = unit(seed, '5xx', key, drawn.attempt);
      const status = u < 0.7 ? 503 : u < 0.85 ? 500 : 502;
      const text = status === 503 ? 'Service Unavailable' : status === 500 ? 'Internal server error' : 'Bad Gateway';
      const headers: Record<string, string> = status === 503 && unit(seed, 'retry', key, drawn.attempt) < 0.5 ? { 'retry-after': '1' } : {};
      return send(status, productError(status, text), headers);
    }
    if (fault === 'slow') {
      await sleep(slowMs);
      if (clientGone || res.destroyed) {
        bump(stats.byStatus, '0');
        return;
      }
    }

    if (principal === 'limited' && route.denyLimited) {
      return send(route.denyLimited.status, productError(route.denyLimited.status, route.denyLimited.message));
    }

    let shortPending = fault === 'shortPage';
    const ctx: RouteContext = {
      method,
      path,
      params,
      query: url.searchParams,
      baseUrl,
      principal,
      headers: req.headers,
      body: requestBody,
      tokens: accessTokens,
      page<T>(items: readonly T[]): { items: T[]; short: boolean } {
        if (!shortPending || items.length < 2 || !drawn) return { items: [...items], short: false };
        shortPending = false;
        drawn.state.faults++;
        bump(stats.faults, 'shortPage');
        const keep = 1 + Math.floor(unit(seed, 'short', key, drawn.attempt) * (items.length - 1));
        return { items: items.slice(0, keep), short: true };
      },
    };
    const result = route.handle(ctx);
    charge?.(result);
    const mode = fault === 'reset' ? 'reset' : fault === 'truncated' ? 'truncated' : 'normal';
    return send(result.status, result.body, result.headers ?? {}, mode, result.contentType);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    cloudId,
    credentials,
    tokens: accessTokens,
    limitedCredentials: limited,
    close(): Promise<void> {
      if (closing) return closing;
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      for (const t of timers) clearTimeout(t);
      timers.clear();
      thaw();
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      return closing;
    },
    stats(): SimulatorStats {
      return structuredClone(stats);
    },
    requests(): RequestLogEntry[] {
      return log.map((e) => ({ ...e }));
    },
    resetStats(): void {
      stats = { requests: 0, closedWindowRequests: 0, byStatus: {}, byRoute: {}, faults: {}, maxConcurrent: 0 };
      log = [];
    },
    freezeAt(n: number): Promise<void> {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`freezeAt: n must be a positive integer, got ${n}`);
      thaw();
      return new Promise<void>((resolve) => {
        freeze = { at: n, seen: 0, reached: resolve, held: [] };
      });
    },
    thaw,
  };
}
