import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { orgFixture, writeOrgSnapshot, type OrgFixture } from '../support/org-fixture.ts';
import { ALL_TABLES } from '../../functions/index.ts';

const D = '2026-11-28';
type Row = Record<string, unknown>;

describe('non_human_access over one snapshot of the organization', () => {
  let dir: string;
  let catalog: LocalCatalog;
  let f: OrgFixture;
  let rows: readonly SqlRow[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'non-human-'));
    f = orgFixture();
    await writeOrgSnapshot(dir, f, D);
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    rows = (await catalog.query(`SELECT * FROM non_human_access WHERE dt = '${D}'`)).rows;
  });
  afterAll(async () => {
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
  });

  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  const byId = (kind: string) => new Map(of(kind).map((r) => [String(r.credential_id), r]));

  it('lists every token, service account, OAuth client, deploy key and webhook once', () => {
    const { admin, bitbucket } = f.truth;
    const expected: Record<string, number> = {
      user_api_token: admin.admin_api_tokens?.length ?? 0,
      service_account: admin.admin_service_accounts?.length ?? 0,
      service_account_api_token: admin.admin_service_account_api_tokens?.length ?? 0,
      service_account_oauth_client: admin.admin_service_account_oauth_clients?.length ?? 0,
      bitbucket_deploy_key: bitbucket.bitbucket_deploy_keys?.length ?? 0,
      bitbucket_webhook: bitbucket.bitbucket_webhooks?.length ?? 0,
    };
    for (const [kind, n] of Object.entries(expected)) expect({ kind, rows: of(kind).length }).toEqual({ kind, rows: n });
    for (const n of Object.values(expected)) expect(n).toBeGreaterThan(0);
  });

  it("flags a user API token whose owner is suspended or deactivated, from the directory's status", () => {
    const status = new Map((f.truth.admin.admin_users ?? []).map((u: Row) => [String(u.account_id), String(u.status)]));
    const tokens = byId('user_api_token');
    let inactive = 0;
    for (const t of f.truth.admin.admin_api_tokens ?? []) {
      const want = ['suspended', 'deactivated', 'for_deletion'].includes(status.get(String(t.account_id)) ?? '');
      if (want) inactive++;
      expect({ token: t.token_id, owner_inactive: tokens.get(String(t.token_id))?.owner_inactive }).toEqual({ token: t.token_id, owner_inactive: want });
    }
    expect(inactive).toBeGreaterThan(0);
  });

  it('flags tokens that never expire and tokens unused for 90 days (never used: counted from creation)', () => {
    const tokens = byId('user_api_token');
    const day = (iso: unknown) => Date.parse(String(iso).slice(0, 10));
    for (const t of f.truth.admin.admin_api_tokens ?? []) {
      const since = t.last_access ?? t.created_at;
      const unused = Math.round((Date.parse(D) - day(since)) / 86_400_000) >= 90;
      expect({ token: t.token_id, never_expires: tokens.get(String(t.token_id))?.never_expires, unused_90_days: tokens.get(String(t.token_id))?.unused_90_days }).toEqual({
        token: t.token_id,
        never_expires: t.expires_at === null,
        unused_90_days: unused,
      });
    }
    expect(of('user_api_token').some((r) => r.never_expires === true)).toBe(true);
    expect(of('user_api_token').some((r) => r.unused_90_days === false)).toBe(true);
  });

  it("flags a webhook to a host outside the organization's verified domains, subdomains of them inside", () => {
    const verified = (f.truth.admin.admin_domains ?? []).filter((d: Row) => d.claim_status === 'verified').map((d: Row) => String(d.name).toLowerCase());
    const hooks = byId('bitbucket_webhook');
    for (const h of f.truth.bitbucket.bitbucket_webhooks ?? []) {
      const host = String(h.url_host);
      const external = !verified.some((d) => host === d || host.endsWith(`.${d}`));
      expect({ hook: h.webhook_uuid, host, external_target: hooks.get(String(h.webhook_uuid))?.external_target }).toEqual({ hook: h.webhook_uuid, host, external_target: external });
    }
    expect(of('bitbucket_webhook').some((r) => r.external_target === true)).toBe(true);
    expect(of('bitbucket_webhook').some((r) => r.external_target === false)).toBe(true);
  });

  it("a service account's credentials carry the service account as owner and are flagged when it is not ACTIVE", () => {
    const accounts = new Map((f.truth.admin.admin_service_accounts ?? []).map((a: Row) => [String(a.service_account_id), a]));
    const tokens = byId('service_account_api_token');
    for (const t of f.truth.admin.admin_service_account_api_tokens ?? []) {
      const a = accounts.get(String(t.service_account_id));
      expect({ token: t.token_id, owner: tokens.get(String(t.token_id))?.owner_account_id, inactive: tokens.get(String(t.token_id))?.owner_inactive }).toEqual({
        token: t.token_id,
        owner: a?.account_id,
        inactive: a?.status !== 'ACTIVE',
      });
    }
  });
});
