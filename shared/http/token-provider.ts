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

class TokenAuth implements AuthProvider {
  private token: string | undefined;
  private expiresAt = 0;
  private secret: OAuthSecret | undefined;
  private inflight: Promise<void> | undefined;

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
    this.token = undefined;
    await this.refresh();
    return true;
  }

  /** One refresh at a time: concurrent requests wait for the same one (a rotated refresh token is single-use). */
  private refresh(): Promise<void> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async doRefresh(): Promise<void> {
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
      if (e instanceof CollectorError && (e.context.status === 401 || e.context.status === 403 || e.context.status === 400)) {
        throw new AuthenticationError(`the token endpoint refused to issue an access token. ${this.hint}`, { ...tokenContext, status: e.context.status });
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
      try {
        await this.c.persist(rotated);
      } catch (e) {
        throw new ConfigError(
          `could not store the rotated OAuth refresh token in ${this.c.source} (${(e as Error).message}); the previous one is no longer valid. ` +
            `Give the collector write access to it and re-authorize the app.`,
          { cause: e },
        );
      }
      this.secret = rotated;
    }
    this.token = t.data.access_token;
    this.expiresAt = expiresAt;
  }
}

export { registerSecrets };
