import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import type { Redactor } from '../redact.ts';

/** Resolved credentials of one unit. `source` says where they came from, for error messages. */
export type Credentials =
  | { readonly kind: 'basic'; readonly email: string; readonly apiToken: string; readonly source: string }
  | { readonly kind: 'bearer'; readonly token: string; readonly source: string };

/** JSON shape of a basic-auth secret (Secrets Manager) . */
export const BasicSecretSchema = z.object({ email: z.email(), apiToken: z.string().min(1) });
/** JSON shape of a bearer secret. */
export const BearerSecretSchema = z.object({ token: z.string().min(1) });

export function authorizationHeader(c: Credentials): string {
  return c.kind === 'basic'
    ? `Basic ${Buffer.from(`${c.email}:${c.apiToken}`).toString('base64')}`
    : `Bearer ${c.token}`;
}

/** Register every secret form of the credentials with the redactor. */
export function registerSecrets(c: Credentials, redactor: Redactor): void {
  if (c.kind === 'basic') {
    redactor.add(c.apiToken, Buffer.from(`${c.email}:${c.apiToken}`).toString('base64'));
  } else {
    redactor.add(c.token);
  }
}

/** What to check when a credential is rejected. */
export function credentialHint(c: Credentials): string {
  return c.kind === 'basic'
    ? `Check the e-mail and API token from ${c.source}: the token may be revoked or expired (tokens expire after at most a year), ` +
        `the e-mail must be the token owner's, and a scoped API token must use https://api.atlassian.com/ex/<product>/<cloudId> instead of the site URL.`
    : `Check the bearer token from ${c.source}: it may be expired (OAuth access tokens last one hour) or issued for another site or organization.`;
}

/**
 * Credentials from the environment, as the local command reads them:
 * `ATLASSIAN_EMAIL` + `ATLASSIAN_API_TOKEN` (basic) or `ATLASSIAN_BEARER_TOKEN` (bearer).
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
      : 'No credentials: set ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN (an API token from https://id.atlassian.com/manage-profile/security/api-tokens), or ATLASSIAN_BEARER_TOKEN.',
  );
}
