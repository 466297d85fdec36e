import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuthConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { BasicSecretSchema, BearerSecretSchema, type Credentials } from './http/auth.ts';

/**
 * Read a unit's credentials from Secrets Manager. The secret's JSON is validated; the message on failure
 * names the secret and the expected shape, never the value.
 */
export async function credentialsFromSecret(client: SecretsManagerClient, auth: AuthConfig): Promise<Credentials> {
  const name = auth.secretName;
  if (!name) throw new ConfigError(`unit has auth kind '${auth.kind}' but no secretName; set auth.secretName in the config.`);
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
  } catch (e) {
    const n = (e as { name?: string }).name ?? 'Error';
    throw new ConfigError(
      `could not read secret '${name}' (${n}). Check it exists in this account and region and the collector role may read it.`,
      { cause: e },
    );
  }
  const shape = auth.kind === 'basic' ? '{"email": "...", "apiToken": "..."}' : '{"token": "..."}';
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw new ConfigError(`secret '${name}' is not JSON; put ${shape} in it.`);
  }
  const source = `the secret '${name}'`;
  if (auth.kind === 'basic') {
    const r = BasicSecretSchema.safeParse(json);
    if (!r.success) throw new ConfigError(`secret '${name}' must be ${shape} (field '${r.error.issues[0]?.path.join('.')}' is missing or invalid).`);
    return { kind: 'basic', email: r.data.email, apiToken: r.data.apiToken, source };
  }
  const r = BearerSecretSchema.safeParse(json);
  if (!r.success) throw new ConfigError(`secret '${name}' must be ${shape}.`);
  return { kind: 'bearer', token: r.data.token, source };
}
