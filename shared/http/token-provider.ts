import { z } from 'zod';
import { AuthenticationError, CollectorError, ConfigError, type ErrorContext } from '../errors.ts';
import type { Redactor } from '../redact.ts';
import { basicHeader, credentialHint, genieKeyHeader, registerSecrets, trelloHeader, type Credentials, type OAuthSecret } from './auth.ts';
import type { HttpClient, HttpClientOptions } from './client.ts';

/** Supplies the Authorization header of every request and renews it when the API answers 401. */
export interface AuthProvider {
  /** Header value, or undefined to send none. */
  header(): Promise<string | undefined>;
  /** Get a fresh credential after a 401; false when there is nothing to renew. */
  renew(): Promise<boolean>;
  readonly hint: string;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
});

/** Renew this long before the announced expiry. */
const EARLY_MS = 60_000;

type ClientFactory = (o: HttpClientOptions) => HttpClient;

/**
 * The auth provider of a unit's credentials. Static for basic and bearer; for OAuth it fetches, caches and
 * renews access tokens through the token endpoint (itself called with the shared HTTP client, so token
 * requests get the same retries).
 */
export function authProvider(c: Credentials, ctx: { context: ErrorContext; redactor?: Redactor; newClient: ClientFactory; now?: () => number }): AuthProvider {
  const now = ctx.now ?? Date.now;
  const hint = credentialHint(c);
  switch (c.kind) {
    case 'basic': {
      const h = basicHeader(c.email, c.apiToken);
      return { header: async () => h, renew: async () => false, hint };
    }
    case 'bearer':
      return { header: async () => `Bearer ${c.token}`, renew: async () => false, hint };
    case 'genie-key': {
      const h = genieKeyHeader(c.apiKey);
      return { header: async () => h, renew: async () => false, hint };
    }
    case 'trello': {
      const h = trelloHeader(c.apiKey, c.token);
      return { header: async () => h, renew: async () => false, hint };
    }
    case 'none':
      return { header: async () => undefined, renew: async () => false, hint };
    case 'oauth2':
    case 'client-credentials':
      return new TokenAuth(c, ctx.context, ctx.newClient, now, ctx.redactor, hint);
  }
}

/** How long a unit waits, after the token endpoint refused the shared refresh token, for the unit that used it to store the rotated secret. */
const CONFLICT_WAIT_MS = [250, 500, 1000, 2000, 4000];

class TokenAuth implements AuthProvider {
  private token: string | undefined;
  private expiresAt = 0;
  private secret: OAuthSecret | undefined;
  /** Version of `secret` in its store (the version guard); undefined when the store has none. */
  private version: string | undefined;
  private inflight: Promise<void> | undefined;
  /** Pause between re-reads of a shared secret (tests pass a shorter one). */
  private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  constructor(
    private readonly c: Extract<Credentials, { kind: 'oauth2' | 'client-credentials' }>,
    private readonly context: ErrorContext,
    private readonly newClient: ClientFactory,
    private readonly now: () => number,
    private readonly redactor: Redactor | undefined,
    readonly hint: string,
  ) {
    if (c.kind === 'oauth2') {
      this.secret = c.secret;
      this.version = c.version;
      if (c.secret.accessToken && c.secret.expiresAt) {
        this.token = c.secret.accessToken;
        this.expiresAt = Date.parse(c.secret.expiresAt);
      }
    }
  }

  async header(): Promise<string | undefined> {
    if (!this.token || this.now() > this.expiresAt - EARLY_MS) await this.refresh();
    return `Bearer ${this.token}`;
  }

  async renew(): Promise<boolean> {
    this.rejected = this.token;
    this.token = undefined;
    await this.refresh();
    return true;
  }

  /** The access token the API just refused (401): never adopted from the store again. */
  private rejected: string | undefined;

  /**
   * Adopt the secret another unit sharing it stored, if it holds a usable access token newer than ours; else
   * take its refresh token (the one that works now). True when no refresh is needed.
   */
  private async adoptStored(): Promise<boolean> {
    if (this.c.kind !== 'oauth2' || !this.c.reload) return false;
    const latest = await this.c.reload();
    if (latest.version === this.version) return false;
    this.secret = latest.secret;
    this.version = latest.version;
    const { accessToken, expiresAt } = latest.secret;
    const exp = expiresAt ? Date.parse(expiresAt) : 0;
    if (accessToken && accessToken !== this.rejected && this.now() < exp - EARLY_MS) {
      this.redactor?.add(accessToken, latest.secret.refreshToken);
      this.token = accessToken;
      this.expiresAt = exp;
      return true;
    }
    return false;
  }

  /** Whether the token endpoint refused the refresh token (Atlassian: 403 invalid_grant for a used or unknown one). */
  private static refused(e: unknown): boolean {
    return e instanceof CollectorError && (e.context.status === 401 || e.context.status === 403 || e.context.status === 400);
  }

  /** One refresh at a time: concurrent requests wait for the same one (a rotated refresh token is single-use). */
  private refresh(): Promise<void> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Refresh, safe when units share one OAuth secret: first look whether another unit already stored a fresh
   * token; if the token endpoint refuses the refresh token (another unit used it first, and rotating refresh
   * tokens work once), wait for that unit's rotated secret and use it instead of failing.
   */
  private async doRefresh(): Promise<void> {
    if (await this.adoptStored()) return;
    try {
      await this.refreshOnce();
      return;
    } catch (e) {
      if (!(this.c.kind === 'oauth2' && this.c.reload && e instanceof AuthenticationError && TokenAuth.refused(e.cause))) throw e;
      for (const ms of CONFLICT_WAIT_MS) {
        await this.sleep(ms);
        const before = this.version;
        if (await this.adoptStored()) return;
        if (this.version !== before) {
          // Rotated by another unit but without a usable access token: refresh once with the new refresh token.
          await this.refreshOnce();
          return;
        }
      }
      throw e;
    }
  }

  private async refreshOnce(): Promise<void> {
    const url = new URL(this.c.tokenUrl);
    const tokenContext = { ...this.context, endpoint: `POST ${url.pathname}` };
    const client = this.newClient({
      baseUrl: url.origin,
      credentials:
        this.c.kind === 'client-credentials'
          ? // Bitbucket: client id and secret as HTTP basic (bitbucket-2.0.json narrative "Authentication methods").
            { kind: 'basic', email: this.c.clientId, apiToken: this.c.clientSecret, source: this.c.source }
          : { kind: 'none', source: this.c.source },
      context: tokenContext,
      ...(this.redactor ? { redactor: this.redactor } : {}),
    });
    let body: unknown;
    try {
      const secret = this.secret;
      const res =
        this.c.kind === 'client-credentials'
          ? await client.json({ method: 'POST', path: url.pathname, form: { grant_type: 'client_credentials' } })
          : secret
            ? // Atlassian 3LO: https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ ("Use a refresh token").
              await client.json({
                method: 'POST',
                path: url.pathname,
                body: { grant_type: 'refresh_token', client_id: secret.clientId, client_secret: secret.clientSecret, refresh_token: secret.refreshToken },
              })
            : undefined;
      body = res?.body;
    } catch (e) {
      if (TokenAuth.refused(e) && e instanceof CollectorError) {
        throw new AuthenticationError(`the token endpoint refused to issue an access token. ${this.hint}`, { ...tokenContext, status: e.context.status }, { cause: e });
      }
      throw e;
    } finally {
      await client.close();
    }
    const t = TokenResponse.safeParse(body);
    if (!t.success) throw new AuthenticationError(`the token endpoint answered without an access_token. ${this.hint}`, tokenContext);
    const expiresAt = this.now() + (t.data.expires_in ?? 3600) * 1000;
    this.redactor?.add(t.data.access_token, t.data.refresh_token);
    if (this.c.kind === 'oauth2' && this.secret) {
      const rotated: OAuthSecret = {
        ...this.secret,
        refreshToken: t.data.refresh_token ?? this.secret.refreshToken,
        accessToken: t.data.access_token,
        expiresAt: new Date(expiresAt).toISOString(),
      };
      // Rotating refresh tokens are single-use: store the new one before anything else, or the next run
      // is locked out (https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#use-a-refresh-token-to-get-another-access-token-and-refresh-token-pair).
      let stored: Awaited<ReturnType<typeof this.c.persist>>;
      try {
        stored = await this.c.persist(rotated, this.version);
      } catch (e) {
        throw new ConfigError(
          `could not store the rotated OAuth refresh token in ${this.c.source} (${(e as Error).message}); the previous one is no longer valid. ` +
            `Give the collector write access to it and re-authorize the app.`,
          { cause: e },
        );
      }
      if (stored && !stored.stored) {
        // Another unit stored a rotated secret since ours was read: keep the store as it is and use its token if
        // it has a usable one; else use ours for this invocation (it works: the endpoint just issued it).
        if (await this.adoptStored()) return;
      } else if (stored?.version) this.version = stored.version;
      this.secret = rotated;
    }
    this.token = t.data.access_token;
    this.expiresAt = expiresAt;
  }
}

export { registerSecrets };
