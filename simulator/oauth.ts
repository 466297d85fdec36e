/**
 * Simulated Atlassian OAuth 2.0 (3LO) token endpoint with rotating refresh tokens:
 * `POST /oauth/token` (auth.atlassian.com) with a JSON body `{grant_type: "refresh_token", client_id,
 * client_secret, refresh_token}` answers `{access_token, refresh_token, expires_in, scope, token_type}`.
 * Each refresh token works once: using it issues a new one and invalidates it, as Atlassian's rotating
 * refresh tokens do (https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/, "Use a refresh
 * token to get another access token and refresh token pair"). Issued access tokens are accepted as Bearer on
 * every gateway route of the same simulator.
 */
import { z } from 'zod';
import type { ProductSim, RouteContext, RouteResult } from './server.ts';

export interface OAuthAppOptions {
  clientId?: string;
  clientSecret?: string;
  /** The refresh token the app starts with. */
  refreshToken?: string;
  /** How long an issued access token really works (ms); `expires_in` still says 3600 s. @default 3600000 */
  accessTtlMs?: number;
  /** Requests an access token works for (then 401), for tests that need tokens to expire mid-run. @default unlimited */
  accessUses?: number;
}

export interface OAuthSim extends ProductSim {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The refresh token that currently works. */
  currentRefreshToken(): string;
  /** How many refreshes happened. */
  refreshes(): number;
}

const Body = z.object({
  grant_type: z.string(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  refresh_token: z.string().optional(),
});

const oauthError = (status: number, error: string, description: string): RouteResult => ({
  status,
  body: { error, error_description: description },
});

export function oauthApp(opts: OAuthAppOptions = {}): OAuthSim {
  const clientId = opts.clientId ?? 'sim-client-id';
  const clientSecret = opts.clientSecret ?? 'sim-client-secret';
  let current = opts.refreshToken ?? 'sim-refresh-token-0';
  let count = 0;
  const ttl = opts.accessTtlMs ?? 3_600_000;
  return {
    name: 'oauth',
    clientId,
    clientSecret,
    currentRefreshToken: () => current,
    refreshes: () => count,
    routes: [
      {
        method: 'POST',
        path: '/oauth/token',
        ownAuth: true,
        handle(ctx: RouteContext): RouteResult {
          let json: unknown;
          try {
            json = JSON.parse(ctx.body || '{}');
          } catch {
            return oauthError(400, 'invalid_request', 'body is not JSON');
          }
          const b = Body.safeParse(json);
          if (!b.success || b.data.grant_type !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'only refresh_token is supported');
          if (b.data.client_id !== clientId || b.data.client_secret !== clientSecret) return oauthError(401, 'access_denied', 'Unauthorized');
          if (b.data.refresh_token !== current) return oauthError(403, 'invalid_grant', 'Unknown or invalid refresh token.');
          count++;
          current = `sim-refresh-token-${count}`;
          return {
            status: 200,
            body: { access_token: ctx.tokens.issue(ttl, 'sim-3lo', opts.accessUses), refresh_token: current, expires_in: 3600, scope: 'read:jira-user read:jira-work manage:jira-configuration offline_access', token_type: 'Bearer' },
          };
        },
      },
    ],
  };
}
