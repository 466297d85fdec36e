import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import type { Redactor } from '../redact.ts';

/** Secret JSON of an OAuth 2.0 (3LO) unit. */
export const OAuthSecretSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  /** ISO-8601 expiry of `accessToken`. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type OAuthSecret = z.infer<typeof OAuthSecretSchema>;

/** Secret JSON of a client-credentials unit (Bitbucket OAuth consumer). */
export const ClientCredentialsSecretSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });

/** JSON shape of a basic-auth secret (Secrets Manager) . */
export const BasicSecretSchema = z.object({ email: z.email(), apiToken: z.string().min(1) });
/** JSON shape of a bearer secret. */
export const BearerSecretSchema = z.object({ token: z.string().min(1) });
/** JSON shape of an Opsgenie API key secret (auth kind `genie-key`). Strict, so a Trello secret never passes for it. */
export const GenieKeySecretSchema = z.strictObject({ apiKey: z.string().min(1) });
/** JSON shape of a Trello secret: the API key and a user token (auth kind `trello`). */
export const TrelloSecretSchema = z.object({ apiKey: z.string().min(1), token: z.string().min(1) });

export const DEFAULT_OAUTH_TOKEN_URL = 'https://auth.atlassian.com/oauth/token';
export const DEFAULT_CLIENT_CREDENTIALS_TOKEN_URL = 'https://bitbucket.org/site/oauth2/access_token';

/** What storing a rotated OAuth secret did: `stored: false` when another writer changed it first (nothing overwritten). */
export interface PersistResult {
  readonly stored: boolean;
  readonly version?: string;
}

/** Resolved credentials of one unit. `source` says where they came from, for error messages. */
export type Credentials =
  | { readonly kind: 'basic'; readonly email: string; readonly apiToken: string; readonly source: string }
  | { readonly kind: 'bearer'; readonly token: string; readonly source: string }
  | {
      readonly kind: 'oauth2';
      readonly secret: OAuthSecret;
      readonly tokenUrl: string;
      readonly source: string;
      /**
       * Store a rotated secret (new refresh token) where it came from. Must finish before the new token is used.
       * With `basedOn` (the version the refresh started from), a store that changed since is not overwritten:
       * it returns `{ stored: false }` and the caller re-reads it. Returns the new version when it has one.
       */
      readonly persist: (secret: OAuthSecret, basedOn?: string) => Promise<void | PersistResult>;
      /** The version of `secret` as read (Secrets Manager VersionId): the version guard of a shared secret. */
      readonly version?: string;
      /** Read the secret again (another unit sharing it may have rotated it). */
      readonly reload?: () => Promise<{ secret: OAuthSecret; version: string }>;
    }
  | { readonly kind: 'client-credentials'; readonly clientId: string; readonly clientSecret: string; readonly tokenUrl: string; readonly source: string }
  /** Opsgenie API key (`Authorization: GenieKey <key>`). */
  | { readonly kind: 'genie-key'; readonly apiKey: string; readonly source: string }
  /** Trello API key + user token (`Authorization: OAuth oauth_consumer_key=..., oauth_token=...`). */
  | { readonly kind: 'trello'; readonly apiKey: string; readonly token: string; readonly source: string }
  /** No credentials: public endpoints such as OAuth token endpoints (which authenticate in the body). */
  | { readonly kind: 'none'; readonly source: string };

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Opsgenie: "Authorization: GenieKey <key>" (https://docs.opsgenie.com/docs/authentication). */
export function genieKeyHeader(apiKey: string): string {
  return `GenieKey ${apiKey}`;
}

/**
 * Trello: key and token in the Authorization header rather than the `key`/`token` query parameters, so they
 * never appear in a URL or a log line. Form from https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/
 * ("Passing Token and Key in API Requests": `Authorization: OAuth oauth_consumer_key="{{apiKey}}", oauth_token="{{apiToken}}"`).
 */
export function trelloHeader(apiKey: string, token: string): string {
  return `OAuth oauth_consumer_key="${apiKey}", oauth_token="${token}"`;
}

/** Register every secret form of the credentials with the redactor. */
export function registerSecrets(c: Credentials, redactor: Redactor): void {
  switch (c.kind) {
    case 'basic':
      redactor.add(c.apiToken, basicHeader(c.email, c.apiToken).slice(6));
      break;
    case 'bearer':
      redactor.add(c.token);
      break;
    case 'oauth2':
      redactor.add(c.secret.clientSecret, c.secret.refreshToken, c.secret.accessToken);
      break;
    case 'client-credentials':
      redactor.add(c.clientSecret, basicHeader(c.clientId, c.clientSecret).slice(6));
      break;
    case 'genie-key':
      redactor.add(c.apiKey);
      break;
    case 'trello':
      // The key alone identifies the app (Trello calls it public), but with the token it is a credential: both go.
      redactor.add(c.token, c.apiKey);
      break;
    case 'none':
      break;
  }
}

/** What to check when a credential is rejected. */
export function credentialHint(c: Credentials): string {
  switch (c.kind) {
    case 'basic':
      return (
        `Check the e-mail and API token from ${c.source}: the token may be revoked or expired (tokens expire after at most a year), ` +
        `the e-mail must be the token owner's, and a scoped API token must use https://api.atlassian.com/ex/<product>/<cloudId> instead of the site URL.`
      );
    case 'bearer':
      return (
        `Check the bearer token from ${c.source}: it may be expired or revoked (OAuth access tokens last one hour; a Data Center ` +
        `personal access token expires when its creator chose, and admins can disable PATs), or issued for another site or organization.`
      );
    case 'oauth2':
      return `The OAuth 2.0 app's refresh token from ${c.source} was refused or the app lost access: re-authorize the app and store the new refresh token in that secret.`;
    case 'client-credentials':
      return `Check the OAuth consumer key and secret from ${c.source}, and that the consumer has the scopes it needs.`;
    case 'genie-key':
      return (
        `Check the Opsgenie API key from ${c.source}: it may be deleted or disabled, it must come from Settings > API key management ` +
        `(or a global API integration; a team integration's key cannot read account configuration), and EU accounts use https://api.eu.opsgenie.com.`
      );
    case 'trello':
      return (
        `Check the Trello API key and token from ${c.source}: the token may be revoked or expired (tokens can be issued with an expiration), ` +
        `and it must have been issued for this API key, with at least the read scope. Trello also answers 401 "unauthorized permission requested" ` +
        `when the token's member may not see a workspace, board or enterprise: make it a member (or admin) there.`
      );
    case 'none':
      return 'This endpoint needs credentials.';
  }
}

/**
 * Credentials from the environment, as the local command reads them: `ATLASSIAN_SECRET_FILE` (a JSON file
 * shaped like the unit's Secrets Manager secret; OAuth refresh tokens are rotated in place), or
 * `ATLASSIAN_EMAIL` + `ATLASSIAN_API_TOKEN` (basic), or `ATLASSIAN_BEARER_TOKEN` (bearer).
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv, kind?: 'basic' | 'bearer' | 'genie-key' | 'trello'): Credentials {
  const email = env.ATLASSIAN_EMAIL;
  const apiToken = env.ATLASSIAN_API_TOKEN;
  const token = env.ATLASSIAN_BEARER_TOKEN;
  // Opsgenie and Trello have credentials of their own: `OPSGENIE_API_KEY`, `TRELLO_API_KEY` + `TRELLO_TOKEN`.
  // Asked for by kind, or found when no Atlassian variable is set (those keep precedence: nothing existing changes).
  const atlassianSet = Boolean(token || (email && apiToken));
  if ((kind === 'genie-key' || (kind === undefined && !atlassianSet)) && env.OPSGENIE_API_KEY) {
    return { kind: 'genie-key', apiKey: env.OPSGENIE_API_KEY, source: 'the environment variable OPSGENIE_API_KEY' };
  }
  if ((kind === 'trello' || (kind === undefined && !atlassianSet)) && env.TRELLO_API_KEY && env.TRELLO_TOKEN) {
    return { kind: 'trello', apiKey: env.TRELLO_API_KEY, token: env.TRELLO_TOKEN, source: 'the environment variables TRELLO_API_KEY and TRELLO_TOKEN' };
  }
  if (kind === 'genie-key') throw new ConfigError('No credentials: set OPSGENIE_API_KEY (an API key from Opsgenie Settings > API key management, with Read and Configuration access).');
  if (kind === 'trello') throw new ConfigError('No credentials: set TRELLO_API_KEY and TRELLO_TOKEN (the API key of your Power-Up at https://trello.com/power-ups/admin and a token issued for it).');
  if ((kind === undefined || kind === 'bearer') && token) {
    return { kind: 'bearer', token, source: 'the environment variable ATLASSIAN_BEARER_TOKEN' };
  }
  if ((kind === undefined || kind === 'basic') && email && apiToken) {
    const parsed = BasicSecretSchema.safeParse({ email, apiToken });
    if (!parsed.success) throw new ConfigError('ATLASSIAN_EMAIL is not an e-mail address; set it to the Atlassian account that owns ATLASSIAN_API_TOKEN.');
    return { kind: 'basic', email, apiToken, source: 'the environment variables ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN' };
  }
  throw new ConfigError(
    kind === 'bearer'
      ? 'No credentials: set ATLASSIAN_BEARER_TOKEN (OAuth 2.0 access token or Data Center personal access token).'
      : 'No credentials: set ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN (an API token from https://id.atlassian.com/manage-profile/security/api-tokens), ' +
          'or ATLASSIAN_BEARER_TOKEN, or ATLASSIAN_SECRET_FILE (a JSON file shaped like the unit\'s secret); ' +
          'for Opsgenie OPSGENIE_API_KEY, for Trello TRELLO_API_KEY and TRELLO_TOKEN.',
  );
}
