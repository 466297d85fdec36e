import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../shared/http/auth.ts';
import { HttpClient } from '../../shared/http/client.ts';
import { credentialsFromSecret } from '../../shared/secrets.ts';
import { jiraTenant, oauthApp, startSimulator, type OAuthSim, type Simulator } from '../../simulator/index.ts';
import { motoSecrets } from '../support/moto.ts';

/**
 * Two units sharing one OAuth 2.0 (3LO) secret in Secrets Manager (moto_server), against the simulated Atlassian
 * token endpoint, whose refresh tokens work once (rotating refresh tokens: a reused one is refused with 403
 * invalid_grant). Each unit refreshes through its own token provider, as two collect Lambdas do.
 */

let sim: Simulator;
let app: OAuthSim;
let secrets: SecretsManagerClient;
const tokenUrl = () => `${sim.url}/oauth/token`;

beforeAll(async () => {
  app = oauthApp();
  sim = await startSimulator({ products: [jiraTenant({ seed: 5, users: 20, groups: 2, memberships: 10, projects: 1 }), app], seed: 5, latencyMs: 5 });
  secrets = motoSecrets();
});
afterAll(async () => {
  await sim.close();
});

let name: string;
beforeEach(async () => {
  name = `shared-oauth-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ clientId: app.clientId, clientSecret: app.clientSecret, refreshToken: app.currentRefreshToken() }) }));
});

/** A unit's API client on the gateway, with the unit's credentials. */
function client(credentials: Credentials): HttpClient {
  return new HttpClient({ baseUrl: `${sim.url}/ex/jira/${sim.cloudId}`, credentials, context: { org: 'acme', product: 'jira', site: 'acme.atlassian.net' }, retry: { maxRetries: 0 } });
}
const myself = (c: HttpClient) => c.json({ method: 'GET', path: '/rest/api/3/myself' });
async function stored(): Promise<{ refreshToken: string; accessToken?: string }> {
  return JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? '{}') as { refreshToken: string };
}
const tokenRequests = () => sim.requests().filter((r) => r.url === '/oauth/token');

describe('two units sharing one OAuth 2.0 secret', () => {
  it('the second unit uses the token the first one stored, without refreshing (version guard: it re-reads the secret first)', async () => {
    const [a, b] = await Promise.all([credentialsFromSecret(secrets, { kind: 'oauth2', secretName: name, tokenUrl: tokenUrl() }), credentialsFromSecret(secrets, { kind: 'oauth2', secretName: name, tokenUrl: tokenUrl() })]);
    sim.resetStats();
    const before = app.refreshes();
    await myself(client(a));
    await myself(client(b));
    expect(app.refreshes() - before).toBe(1);
    expect(tokenRequests().map((r) => r.status)).toEqual([200]);
    expect((await stored()).refreshToken).toBe(app.currentRefreshToken());
  });

  it('when both refresh at once, the one whose refresh token was already used waits for the other\u2019s rotated secret and uses it', async () => {
    const a0 = await credentialsFromSecret(secrets, { kind: 'oauth2', secretName: name, tokenUrl: tokenUrl() });
    const b = await credentialsFromSecret(secrets, { kind: 'oauth2', secretName: name, tokenUrl: tokenUrl() });
    if (a0.kind !== 'oauth2') throw new Error('not oauth2');
    // Unit A has rotated the refresh token but not yet stored it when unit B refreshes with the same one.
    let bDone: Promise<unknown> | undefined;
    const a: Credentials = {
      ...a0,
      persist: async (secret, basedOn) => {
        bDone = myself(client(b));
        await new Promise((r) => setTimeout(r, 400));
        return a0.persist(secret, basedOn);
      },
    };
    sim.resetStats();
    const before = app.refreshes();
    await myself(client(a));
    await bDone;
    // One refresh worked; B's attempt with the used refresh token was refused (as Atlassian does) and B then
    // took A's stored access token instead of failing or refreshing again.
    expect(app.refreshes() - before).toBe(1);
    expect(tokenRequests().map((r) => r.status)).toEqual([200, 403]);
    expect(sim.requests().filter((r) => r.url.endsWith('/rest/api/3/myself')).map((r) => r.status)).toEqual([200, 200]);
    // The secret holds the refresh token that works now, in one new version.
    expect((await stored()).refreshToken).toBe(app.currentRefreshToken());
    const versions = await secrets.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    expect(versions.Versions).toHaveLength(2);
  });

  it('without the guard (a secret that cannot be re-read) the same race fails the second unit: what the guard prevents', async () => {
    const a0 = await credentialsFromSecret(secrets, { kind: 'oauth2', secretName: name, tokenUrl: tokenUrl() });
    const b0 = await credentialsFromSecret(secrets, { kind: 'oauth2', secretName: name, tokenUrl: tokenUrl() });
    if (a0.kind !== 'oauth2' || b0.kind !== 'oauth2') throw new Error('not oauth2');
    const { reload: _r, version: _v, ...b } = b0;
    let bDone: Promise<unknown> | undefined;
    const a: Credentials = {
      ...a0,
      persist: async (secret, basedOn) => {
        bDone = myself(client(b)).then(
          () => undefined,
          (e: unknown) => e,
        );
        await new Promise((r) => setTimeout(r, 400));
        return a0.persist(secret, basedOn);
      },
    };
    await myself(client(a));
    const error = (await bDone) as Error;
    expect(error.name).toBe('AuthenticationError');
    expect(error.message).toContain('the token endpoint refused to issue an access token');
  });
});
