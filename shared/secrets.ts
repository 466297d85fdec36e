import { createHash } from 'node:crypto';
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AuthConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import {
  BasicSecretSchema,
  BearerSecretSchema,
  ClientCredentialsSecretSchema,
  DEFAULT_CLIENT_CREDENTIALS_TOKEN_URL,
  DEFAULT_OAUTH_TOKEN_URL,
  GenieKeySecretSchema,
  OAuthSecretSchema,
  TrelloSecretSchema,
  type Credentials,
  type OAuthSecret,
  type PersistResult,
} from './http/auth.ts';

type Kind = AuthConfig['kind'];

const SHAPES: Record<Kind, string> = {
  basic: '{"email": "...", "apiToken": "..."}',
  bearer: '{"token": "..."}',
  oauth2: '{"clientId": "...", "clientSecret": "...", "refreshToken": "..."}',
  'client-credentials': '{"clientId": "...", "clientSecret": "..."}',
  'genie-key': '{"apiKey": "..."}',
  trello: '{"apiKey": "...", "token": "..."}',
};

/** The auth kind a secret's JSON is shaped for (local secret files do not declare one). */
export function inferKind(json: unknown): Kind | undefined {
  if (OAuthSecretSchema.safeParse(json).success) return 'oauth2';
  if (BasicSecretSchema.safeParse(json).success) return 'basic';
  // Trello's `{apiKey, token}` before bearer's `{token}`, which it would otherwise also match.
  if (TrelloSecretSchema.safeParse(json).success) return 'trello';
  if (BearerSecretSchema.safeParse(json).success) return 'bearer';
  if (ClientCredentialsSecretSchema.safeParse(json).success) return 'client-credentials';
  if (GenieKeySecretSchema.safeParse(json).success) return 'genie-key';
  return undefined;
}

/**
 * The one parser of secret JSON, for Secrets Manager and local files alike. Messages name the secret and the
 * expected shape, never a value. `persist` stores a rotated OAuth secret back where it came from.
 */
export function credentialsFromJson(
  json: unknown,
  auth: Pick<AuthConfig, 'kind'> & { tokenUrl?: string | undefined },
  source: string,
  persist: (secret: OAuthSecret, basedOn?: string) => Promise<void | PersistResult>,
  guard?: { version: string; reload: () => Promise<{ secret: OAuthSecret; version: string }> },
): Credentials {
  const bad = (field?: string): never => {
    throw new ConfigError(`${source} must be ${SHAPES[auth.kind]}${field ? ` (field '${field}' is missing or invalid)` : ''} for auth kind '${auth.kind}'.`);
  };
  switch (auth.kind) {
    case 'basic': {
      const r = BasicSecretSchema.safeParse(json);
      return r.success ? { kind: 'basic', email: r.data.email, apiToken: r.data.apiToken, source } : bad(r.error.issues[0]?.path.join('.'));
    }
    case 'bearer': {
      const r = BearerSecretSchema.safeParse(json);
      return r.success ? { kind: 'bearer', token: r.data.token, source } : bad(r.error.issues[0]?.path.join('.'));
    }
    case 'oauth2': {
      const r = OAuthSecretSchema.safeParse(json);
      return r.success
        ? { kind: 'oauth2', secret: r.data, tokenUrl: auth.tokenUrl ?? DEFAULT_OAUTH_TOKEN_URL, source, persist, ...(guard ? { version: guard.version, reload: guard.reload } : {}) }
        : bad(r.error.issues[0]?.path.join('.'));
    }
    case 'client-credentials': {
      const r = ClientCredentialsSecretSchema.safeParse(json);
      return r.success
        ? { kind: 'client-credentials', clientId: r.data.clientId, clientSecret: r.data.clientSecret, tokenUrl: auth.tokenUrl ?? DEFAULT_CLIENT_CREDENTIALS_TOKEN_URL, source }
        : bad(r.error.issues[0]?.path.join('.'));
    }
    case 'genie-key': {
      // Not the strict form: a secret declared `genie-key` may carry notes beside the key.
      const r = z.object({ apiKey: z.string().min(1) }).safeParse(json);
      return r.success ? { kind: 'genie-key', apiKey: r.data.apiKey, source } : bad(r.error.issues[0]?.path.join('.'));
    }
    case 'trello': {
      const r = TrelloSecretSchema.safeParse(json);
      return r.success ? { kind: 'trello', apiKey: r.data.apiKey, token: r.data.token, source } : bad(r.error.issues[0]?.path.join('.'));
    }
  }
}

async function readSecret(client: SecretsManagerClient, name: string, kind: Kind): Promise<{ json: unknown; version: string }> {
  let text: string | undefined;
  let version: string | undefined;
  try {
    const r = await client.send(new GetSecretValueCommand({ SecretId: name }));
    text = r.SecretString;
    version = r.VersionId;
  } catch (e) {
    const n = (e as { name?: string }).name ?? 'Error';
    throw new ConfigError(`could not read secret '${name}' (${n}). Check it exists in this account and region and the collector role may read it.`, { cause: e });
  }
  try {
    return { json: JSON.parse(text ?? ''), version: version ?? '' };
  } catch {
    throw new ConfigError(`secret '${name}' is not JSON; put ${SHAPES[kind]} in it.`);
  }
}

/** The version of a secret that has the AWSCURRENT stage. */
async function currentVersion(client: SecretsManagerClient, name: string): Promise<string | undefined> {
  const d = await client.send(new DescribeSecretCommand({ SecretId: name }));
  return Object.entries(d.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
}

/**
 * Read a unit's credentials from Secrets Manager; a rotated OAuth refresh token is written back as a new version.
 *
 * Version guard, for units that share one OAuth secret (each refresh token works once): the token provider
 * re-reads the secret before it refreshes and after the token endpoint refuses a refresh token, and uses another
 * unit's fresh access token instead of refreshing again. A rotated secret is stored only if AWSCURRENT is still
 * the version the refresh started from, with a ClientRequestToken derived from the new refresh token (a retried
 * PutSecretValue creates no second version).
 */
export async function credentialsFromSecret(client: SecretsManagerClient, auth: AuthConfig): Promise<Credentials> {
  const name = auth.secretName;
  if (!name) throw new ConfigError(`unit has auth kind '${auth.kind}' but no secretName; set auth.secretName in the config.`);
  const { json, version } = await readSecret(client, name, auth.kind);
  const source = `the secret '${name}'`;
  const persist = async (secret: OAuthSecret, basedOn?: string): Promise<PersistResult> => {
    if (basedOn !== undefined && (await currentVersion(client, name)) !== basedOn) return { stored: false };
    const token = createHash('sha256').update(secret.refreshToken).digest('hex').slice(0, 64);
    const r = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(secret), ClientRequestToken: token }));
    return { stored: true, ...(r.VersionId ? { version: r.VersionId } : {}) };
  };
  const reload = async () => {
    const again = await readSecret(client, name, auth.kind);
    const parsed = OAuthSecretSchema.safeParse(again.json);
    if (!parsed.success) throw new ConfigError(`${source} no longer holds ${SHAPES.oauth2} (field '${parsed.error.issues[0]?.path.join('.')}'); another writer changed it.`);
    return { secret: parsed.data, version: again.version };
  };
  return credentialsFromJson(json, auth, source, persist, version ? { version, reload } : undefined);
}

/** Read credentials from a local JSON file shaped like the unit's secret; rotated OAuth secrets are written back atomically. */
export async function credentialsFromFile(path: string, kind?: Kind, tokenUrl?: string): Promise<Credentials> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the secret file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}); check the path in ATLASSIAN_SECRET_FILE.`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error, which is part of the secret: say only where it is.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new ConfigError(
      `the secret file ${path} is not valid JSON${at ? ` (at character ${at})` : ''}; put ${Object.values(SHAPES).join(' or ')} in it.`,
    );
  }
  const k = kind ?? inferKind(json);
  if (!k) throw new ConfigError(`the secret file ${path} matches no auth kind; use one of ${Object.values(SHAPES).join(', ')}.`);
  return credentialsFromJson(json, { kind: k, tokenUrl }, `the secret file ${path}`, async (secret) => {
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(secret, null, 2), { mode: 0o600 });
    await rename(tmp, path);
  });
}
