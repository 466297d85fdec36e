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

export const DEFAULT_OAUTH_TOKEN_URL = 'https://auth.atlassian.com/oauth/token';
export const DEFAULT_CLIENT_CREDENTIALS_TOKEN_URL = 'https://bitbucket.org/site/oauth2/access_token';

/** Resolved credentials of one unit. `source` says where they came from, for error messages. */
export type Credentials =
  | { readonly kind: 'basic'; readonly email: string; readonly apiToken: string; readonly source: string }
  | { readonly kind: 'bearer'; readonly token: string; readonly source: string }
  | {
      readonly kind: 'oauth2';
      readonly secret: OAuthSecret;
      readonly tokenUrl: string;
      readonly source: string;
      /** Store a rotated secret (new refresh token) where it came from. Must finish before the new token is used. */
      readonly persist: (secret: OAuthSecret) => Promise<void>;
    }
  | { readonly kind: 'client-credentials'; readonly clientId: string; readonly clientSecret: string; readonly tokenUrl: string; readonly source: string }
  /** No credentials: public endpoints such as OAuth token endpoints (which authenticate in the body). */
  | { readonly kind: 'none'; readonly source: string };

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
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
      return `Check the bearer token from ${c.source}: it may be expired (OAuth access tokens last one hour) or issued for another site or organization.`;
    case 'oauth2':
      return `The OAuth 2.0 app's refresh token from ${c.source} was refused or the app lost access: re-authorize the app and store the new refresh token in that secret.`;
    case 'client-credentials':
      return `Check the OAuth consumer key and secret from ${c.source}, and that the consumer has the scopes it needs.`;
    case 'none':
      return 'This endpoint needs credentials.';
  }
}

/**
 * Credentials from the environment, as the local command reads them: `ATLASSIAN_SECRET_FILE` (a JSON file
 * shaped like the unit's Secrets Manager secret; OAuth refresh tokens are rotated in place), or
 * `ATLASSIAN_EMAIL` + `ATLASSIAN_API_TOKEN` (basic), or `ATLASSIAN_BEARER_TOKEN` (bearer).
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv, kind?: 'basic' | 'bearer'): Credentials {
  const email = env.ATLASSIAN_EMAIL;
  const apiToken = env.ATLASSIAN_API_TOKEN;
  const token = env.ATLASSIAN_BEARER_TOKEN;
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
          'or ATLASSIAN_BEARER_TOKEN, or ATLASSIAN_SECRET_FILE (a JSON file shaped like the unit\'s secret).',
  );
}
