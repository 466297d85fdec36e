import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import {
  AuthenticationError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  RetriesExhaustedError,
  UnexpectedResponseError,
  type ErrorContext,
} from '../errors.ts';
import { silentLogger, type Logger, type Redactor } from '../redact.ts';
import type { Credentials } from './auth.ts';
import { authProvider, type AuthProvider } from './token-provider.ts';
import { decideRetry, defaultRetryPolicy, tlsCode, type AttemptFailure, type RetryPolicy } from './retry.ts';
import { credentialId, RateBudgetRegistry, sharedRateBudgets, type PacingOptions, type Permit, type RateBudget } from './pacing.ts';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** One logical request; the client may send it several times. */
export interface RequestSpec {
  readonly method?: 'GET' | 'POST';
  /** Path below the base URL (`/rest/api/3/users/search`), or an absolute URL on the base URL's origin (a `next` link). */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Form fields, sent as application/x-www-form-urlencoded (OAuth token endpoints). */
  readonly form?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** The permission or scope the endpoint needs, named in the 403 message. */
  readonly requires?: string;
}

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HttpClientOptions {
  /** Base URL of the API, e.g. `https://acme.atlassian.net` or `https://api.atlassian.com/ex/jira/<cloudId>`. */
  readonly baseUrl: string;
  /** Other origins absolute paths may address (the same credentials are sent there). @default [] */
  readonly origins?: readonly string[];
  readonly credentials: Credentials;
  /** org / product / site, named in every error. */
  readonly context: ErrorContext;
  /** Requests in flight at once to this site. @default 4 */
  readonly concurrency?: number;
  /** Time allowed for the response headers, and between body chunks. @default 30000 */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Pace every request to the API's published budget ({@link RateBudget}), shared by every client of the same
   * site and credential through `registry` (default: the process-wide one). Absent: no pacing.
   */
  readonly pacing?: PacingOptions & { readonly registry?: RateBudgetRegistry };
  readonly redactor?: Redactor;
  readonly log?: Logger;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly dispatcher?: Dispatcher;
}

/** Counters of one client. `requests` counts every attempt sent, retries included. */
export interface HttpCounters {
  requests: number;
  retries: number;
  /** Answers 429 Too Many Requests. */
  throttled: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How long to pause a unit that stays rate limited without saying for how long. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 300_000;

/**
 * HTTP client for one Atlassian site: keep-alive pool with bounded concurrency, auth, retries
 * with backoff that honour Retry-After, and errors that say what to do. Never logs or throws a
 * credential.
 */
export class HttpClient {
  readonly counters: HttpCounters = { requests: 0, retries: 0, throttled: 0 };
  private readonly base: URL;
  private readonly auth: AuthProvider;
  private readonly policy: RetryPolicy;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly log: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly budget: RateBudget | null;

  constructor(private readonly options: HttpClientOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    this.auth = authProvider(options.credentials, {
      context: options.context,
      ...(options.redactor ? { redactor: options.redactor } : {}),
      newClient: (o) => new HttpClient({ ...o, ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) }),
    });
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.concurrency ?? 4,
        keepAliveTimeout: 30_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    this.log = options.log ?? silentLogger;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    const { registry, ...pacing } = options.pacing ?? { policy: undefined };
    // A client on a fake clock (tests) keeps its budgets to itself.
    const budgets = registry ?? (options.now || options.sleep ? new RateBudgetRegistry() : sharedRateBudgets);
    this.budget = pacing.policy ? budgets.get(this.base.origin, credentialId(options.credentials), { ...pacing, policy: pacing.policy }, this.now) : null;
  }

  /**
   * Wait until the site's budget has room for one more request ({@link RateBudget}); a wait longer than one
   * invocation may sleep ends the invocation at its checkpoint instead, for exactly that wait.
   */
  private async pace(ctx: ErrorContext): Promise<Permit | null> {
    const budget = this.budget;
    if (!budget) return null;
    for (;;) {
      // The first request of a budget goes alone (see firstAnswerPending); the others poll until its answer.
      // (A real timer, not the injected sleep: the answer must be able to arrive meanwhile.)
      if (budget.firstAnswerPending()) {
        await new Promise<void>((r) => setTimeout(r, 2));
        continue;
      }
      const permit = budget.tryAcquire();
      if (permit) return permit;
      const { ms, reason } = budget.waitMs();
      if (ms > this.policy.maxRetryAfterMs) {
        throw new RateLimitedError(
          `rate limited (${reason}); waiting ${Math.ceil(ms / 1000)} s, more than one invocation may sleep: the unit pauses at its last checkpoint and resumes`,
          ctx,
          ms,
        );
      }
      await this.sleep(Math.max(1, ms));
    }
  }

  /** The URL a spec resolves to (without credentials). */
  url(spec: Pick<RequestSpec, 'path' | 'query'>): URL {
    // Paths resolve below the base URL, so one stream serves `https://acme.atlassian.net` and the
    // gateway base `https://api.atlassian.com/ex/confluence/<cloudId>` alike. A relative link the API
    // returns that already carries the base path (a gateway `next` link) resolves against the origin.
    const basePath = this.base.pathname;
    const url = /^https?:\/\//.test(spec.path)
      ? new URL(spec.path)
      : basePath !== '/' && spec.path.startsWith(basePath)
        ? new URL(spec.path, this.base.origin)
        : new URL(spec.path.replace(/^\/+/, ''), this.base);
    if (url.origin !== this.base.origin && !(this.options.origins ?? []).some((o) => new URL(o).origin === url.origin)) {
      throw new UnexpectedResponseError(
        `refusing to follow a link to another origin (${url.origin}); the API returned a next link outside ${this.base.origin}`,
        this.options.context,
      );
    }
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
      else url.searchParams.set(k, String(v));
    }
    return url;
  }

  /**
   * Send a request and parse its JSON body. Retries 429/5xx/resets/timeouts/unreadable bodies;
   * throws {@link AuthenticationError} on 401, {@link PermissionError} on 403,
   * {@link NotFoundError} on 404, {@link UnexpectedResponseError} on other 4xx.
   */
  async json(spec: RequestSpec): Promise<JsonResponse> {
    const url = this.url(spec);
    const endpoint = `${spec.method ?? 'GET'} ${url.pathname}`;
    const ctx: ErrorContext = { ...this.options.context, endpoint };
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      let failure: AttemptFailure;
      let lastError: unknown;
      // Pace first, then take the credential: a wait for the window must not age a short-lived access token.
      const permit = await this.pace(ctx);
      const authorization = await this.auth.header().catch((e: unknown) => {
        if (permit) this.budget?.abandon(permit);
        throw e;
      });
      this.counters.requests++;
      let answered = false;
      try {
        const res = await request(url, {
          method: spec.method ?? 'GET',
          dispatcher: this.dispatcher,
          headers: {
            ...(authorization ? { authorization } : {}),
            accept: 'application/json',
            ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(spec.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            ...spec.headers,
          },
          body: spec.form !== undefined ? new URLSearchParams(spec.form).toString() : spec.body === undefined ? undefined : JSON.stringify(spec.body),
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        const headers = res.headers as Record<string, string | string[] | undefined>;
        if (permit) this.budget?.observe(permit, res.statusCode, headers);
        answered = true;
        if (res.statusCode === 429) this.counters.throttled++;
        const text = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          try {
            return { status: res.statusCode, body: text.length ? JSON.parse(text) : null, headers };
          } catch (e) {
            failure = { kind: 'bad-body' };
            lastError = e;
          }
        } else {
          // An expired OAuth access token answers 401: renew it once and send the request again.
          if (res.statusCode === 401 && !renewed && (await this.auth.renew())) {
            renewed = true;
            this.counters.retries++;
            attempt--;
            continue;
          }
          this.throwIfFinal(res.statusCode, text, spec, ctx);
          failure = { kind: 'status', status: res.statusCode, headers };
          lastError = new Error(`HTTP ${res.statusCode}: ${summarize(text)}`);
        }
      } catch (e) {
        if (
          e instanceof AuthenticationError ||
          e instanceof PermissionError ||
          e instanceof NotFoundError ||
          e instanceof UnexpectedResponseError ||
          e instanceof RateLimitedError
        ) {
          throw e;
        }
        failure = classify(e);
        lastError = e;
      } finally {
        if (permit && !answered) this.budget?.abandon(permit);
      }
      const decision = decideRetry(failure, attempt, this.policy, this.now(), this.random);
      // The site's window the 429 closed (Retry-After, else reset, else the documented interval): every
      // request of the site waits for it in `pace`, this one included.
      const gateMs = this.budget && failure.kind === 'status' && failure.status === 429 ? this.budget.waitMs().ms : 0;
      if (!decision.retry && failure.kind === 'status' && (failure.status === 429 || decision.waitMs !== undefined)) {
        // Rate limited for longer than one invocation should sleep (Bitbucket's hourly budget, Atlassian's
        // points quota): not a failure; the unit pauses at its checkpoint and resumes later.
        const waitMs = decision.waitMs ?? (gateMs > 0 ? gateMs : DEFAULT_RATE_LIMIT_PAUSE_MS);
        throw new RateLimitedError(
          `rate limited (${decision.reason}); the unit pauses ${Math.ceil(waitMs / 1000)} s at its last checkpoint and resumes`,
          { ...ctx, status: failure.status },
          waitMs,
          { cause: lastError },
        );
      }
      if (!decision.retry) {
        throw new RetriesExhaustedError(
          `${describeFailure(failure, this.timeoutMs)}; ${decision.reason}. ${adviceFor(failure, this.base)}`,
          { ...ctx, ...(failure.kind === 'status' ? { status: failure.status } : {}) },
          { cause: lastError },
        );
      }
      this.counters.retries++;
      this.log.warn('retrying request', {
        ...this.options.context,
        endpoint,
        attempt: attempt + 1,
        reason: decision.reason,
        delayMs: decision.delayMs,
      });
      // A paced 429 waits in `pace` for exactly the window, not for the backoff's guess.
      if (this.budget && failure.kind === 'status' && failure.status === 429) continue;
      await this.sleep(decision.delayMs);
    }
  }

  private throwIfFinal(status: number, text: string, spec: RequestSpec, ctx: ErrorContext): void {
    const detail = atlassianMessage(text);
    const c = { ...ctx, status };
    if (status === 401) {
      throw new AuthenticationError(
        `Atlassian rejected the credentials${detail ? ` ("${detail}")` : ''}. ${this.auth.hint}`,
        c,
      );
    }
    if (status === 403) {
      throw new PermissionError(
        `the credentials are valid but not allowed to call this endpoint${detail ? ` ("${detail}")` : ''}. ` +
          `Grant the account ${spec.requires ?? 'the permission this endpoint documents'}, or use an account that has it.`,
        c,
      );
    }
    if (status === 404) {
      // Some APIs answer 404 rather than 403 when the caller may not see a resource (Confluence v2), so a
      // 404 that ends a run names the permission too.
      throw new NotFoundError(
        `not found${detail ? ` ("${detail}")` : ''}.${spec.requires ? ` If it exists, the account may lack ${spec.requires}.` : ''}`,
        c,
      );
    }
    if (status >= 400 && status < 500 && status !== 429) {
      throw new UnexpectedResponseError(
        `the API refused the request${detail ? ` ("${detail}")` : ''}. This is likely a collector bug or an API change: report it with this message.`,
        c,
      );
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

/** What to do about a request that failed for good, by how it failed: only a server error is worth a later run. */
function adviceFor(f: AttemptFailure, base: URL): string {
  if (f.kind === 'network' && f.code === 'ENOTFOUND') return `No DNS name ${base.hostname} exists: check the site URL (--site-url, or siteUrl in the config) for a typo.`;
  if (f.kind === 'network' && f.code === 'ECONNREFUSED') return `Nothing accepts connections at ${base.origin}: check the site URL and port, and that the server is running.`;
  if (f.kind === 'network' && tlsCode(f.code)) {
    return `The server's certificate is not trusted or does not match ${base.hostname}: check the site URL; for a Data Center instance with a private CA, start the collector with NODE_EXTRA_CA_CERTS=<ca.pem>.`;
  }
  if (f.kind === 'timeout') {
    return `The server accepted the request but sent nothing: check that ${base.origin} is the API (not a proxy or login page that holds connections), or allow more time with --timeout <seconds> (http.timeoutMs).`;
  }
  return 'Atlassian may be degraded or rate limiting this site: run again later (in AWS the workflow retries the invocation from its checkpoint), or lower the concurrency.';
}

function classify(e: unknown): AttemptFailure {
  if (
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    e instanceof undiciErrors.ConnectTimeoutError
  ) {
    return { kind: 'timeout' };
  }
  const code = (e as { code?: unknown } | null)?.code;
  return { kind: 'network', code: typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown' };
}

function describeFailure(f: AttemptFailure, timeoutMs: number): string {
  switch (f.kind) {
    case 'status':
      return `HTTP ${f.status}`;
    case 'network':
      return f.code === 'ECONNREFUSED'
        ? 'connection refused (ECONNREFUSED)'
        : f.code === 'ENOTFOUND'
          ? 'unknown host (ENOTFOUND)'
          : tlsCode(f.code)
            ? `TLS failed (${f.code})`
            : `connection failed (${f.code})`;
    case 'timeout':
      return `no answer within ${Math.round(timeoutMs / 1000)} s`;
    case 'bad-body':
      return 'response body was not valid JSON (truncated?)';
  }
}

/** Atlassian error bodies: Jira `{errorMessages[], errors{}}`, Confluence `{message}`, Admin `{errors[{title}]}`. */
export function atlassianMessage(text: string): string {
  try {
    const b = JSON.parse(text) as unknown;
    if (b && typeof b === 'object') {
      const o = b as Record<string, unknown>;
      const msgs: string[] = [];
      if (Array.isArray(o.errorMessages)) msgs.push(...o.errorMessages.filter((m): m is string => typeof m === 'string'));
      if (o.errors && typeof o.errors === 'object' && !Array.isArray(o.errors)) {
        for (const v of Object.values(o.errors)) if (typeof v === 'string') msgs.push(v);
      }
      if (Array.isArray(o.errors)) {
        for (const v of o.errors) {
          const t = (v as { title?: unknown; detail?: unknown } | null)?.title ?? (v as { detail?: unknown } | null)?.detail;
          if (typeof t === 'string') msgs.push(t);
        }
      }
      if (typeof o.message === 'string') msgs.push(o.message);
      // Bitbucket: {type: "error", error: {message, detail}} (bitbucket-2.0.json `error` schema).
      if (o.error && typeof o.error === 'object' && !Array.isArray(o.error)) {
        const be = o.error as { message?: unknown; detail?: unknown };
        if (typeof be.message === 'string') msgs.push(be.message);
        if (typeof be.detail === 'string') msgs.push(be.detail);
      }
      // Admin user management: {key: "forbidden"} (admin-user-management.json error responses).
      if (!msgs.length && typeof o.key === 'string') msgs.push(o.key);
      if (msgs.length) return summarize(msgs.join('; '));
    }
  } catch {
    // not JSON: fall through
  }
  return summarize(text);
}

function summarize(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}
