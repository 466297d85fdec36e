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
import { bindRoutes, type ProductSim, type RouteContext, type RouteResult, type RouteTable } from './server.ts';

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

/** The app's state: its client credentials, the refresh token that works now and how many refreshes happened. */
export interface OAuthState {
  clientId: string;
  clientSecret: string;
  current: string;
  count: number;
  ttl: number;
  accessUses: number | undefined;
}

// POST /oauth/token, grant_type refresh_token (the 3LO guide named in the file header): rotates the refresh token.
function refreshToken(state: OAuthState, ctx: RouteContext): RouteResult {
  let json: unknown;
  try {
    json = JSON.parse(ctx.body || '{}');
  } catch {
    return oauthError(400, 'invalid_request', 'body is not JSON');
  }
  const b = Body.safeParse(json);
  if (!b.success || b.data.grant_type !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'only refresh_token is supported');
  if (b.data.client_id !== state.clientId || b.data.client_secret !== state.clientSecret) return oauthError(401, 'access_denied', 'Unauthorized');
  if (b.data.refresh_token !== state.current) return oauthError(403, 'invalid_grant', 'Unknown or invalid refresh token.');
  state.count++;
  state.current = `sim-refresh-token-${state.count}`;
  return {
    status: 200,
    body: { access_token: ctx.tokens.issue(state.ttl, 'sim-3lo', state.accessUses), refresh_token: state.current, expires_in: 3600, scope: 'read:jira-user read:jira-work manage:jira-configuration offline_access', token_type: 'Bearer' },
  };
}

/** The route table: the token endpoint checks the client's credentials itself (`ownAuth`). */
export const OAUTH_ROUTES: RouteTable<OAuthState> = [{ method: 'POST', path: '/oauth/token', ownAuth: true, handle: refreshToken }];

export function oauthApp(opts: OAuthAppOptions = {}): OAuthSim {
  const state: OAuthState = {
    clientId: opts.clientId ?? 'sim-client-id',
    clientSecret: opts.clientSecret ?? 'sim-client-secret',
    current: opts.refreshToken ?? 'sim-refresh-token-0',
    count: 0,
    ttl: opts.accessTtlMs ?? 3_600_000,
    accessUses: opts.accessUses,
  };
  return {
    name: 'oauth',
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    currentRefreshToken: () => state.current,
    refreshes: () => state.count,
    routes: bindRoutes(OAUTH_ROUTES, state),
  };
}
