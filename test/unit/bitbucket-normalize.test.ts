import { describe, expect, it } from 'vitest';
import { bitbucket, bitbucketStreams } from '../../functions/bitbucket.ts';
import { bitbucketTables } from '../../functions/bitbucket.tables.ts';
import type { Unit } from '../../shared/config.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const all = bitbucketStreams({});

const stream = (name: string, roots: readonly Stream[] = all) => findStream(roots, name);

const WS = { ws: 'acme', wu: '{ws-uuid}' };
const REPO = { ...WS, r: '{repo-uuid}', fn: 'acme/api' };
const PROJECT = { ...WS, p: 'PLAT', pu: '{project-uuid}' };

/** Every row must pass its table's schema, as the sink checks it. */
const read = (name: string, body: unknown, parent: unknown) => readPage(stream(name), body, { parent, check: { tables: bitbucketTables, site: 'api.bitbucket.org' } });

describe('Bitbucket payload normalization', () => {
  it('keeps members without account_id (deleted users), unicode names, missing permission and normalizes dates', () => {
    const { rows } = read(
      'workspace_members',
      {
        pagelen: 100,
        values: [
          {
            type: 'workspace_membership',
            permission: 'owner',
            added_on: '2021-03-04T12:34:56.123456+00:00',
            last_accessed: '2026-11-01T08:00:00+02:00',
            user: { type: 'user', uuid: '{u-1}', account_id: '557058:abc', display_name: 'Zoë Ångström 山田 🚀', nickname: 'zoe', account_status: 'active' },
          },
          // Deleted user: no account_id, no nickname, no account_status; workspace moved to admin.atlassian.com.
          { type: 'workspace_membership', permission: 'collaborator', user: { type: 'user', uuid: '{u-2}', display_name: 'Former user' } },
          // permission is not in the schema (only the example), and an unreadable date becomes null.
          { type: 'workspace_membership', last_accessed: 'yesterday', user: { type: 'user', uuid: '{u-3}', account_id: '' } },
        ],
      },
      WS,
    );
    expect(rows).toEqual([
      { table: 'bitbucket_workspace_members', workspace_uuid: '{ws-uuid}', workspace_slug: 'acme', account_id: '557058:abc', user_uuid: '{u-1}', display_name: 'Zoë Ångström 山田 🚀', nickname: 'zoe', account_status: 'active', permission: 'owner', added_on: '2021-03-04T12:34:56.123Z', last_accessed: '2026-11-01T06:00:00.000Z' },
      { table: 'bitbucket_workspace_members', workspace_uuid: '{ws-uuid}', workspace_slug: 'acme', account_id: null, user_uuid: '{u-2}', display_name: 'Former user', nickname: null, account_status: null, permission: 'collaborator', added_on: null, last_accessed: null },
      { table: 'bitbucket_workspace_members', workspace_uuid: '{ws-uuid}', workspace_slug: 'acme', account_id: null, user_uuid: '{u-3}', display_name: null, nickname: null, account_status: null, permission: null, added_on: null, last_accessed: null },
    ]);
  });

  it('fails on a user without uuid, naming the field', () => {
    const body = { values: [{ permission: 'admin', user: { account_id: 'x' } }] };
    expect(() => read('repository_user_permissions', body, REPO)).toThrow(PayloadError);
    expect(() => read('repository_user_permissions', body, REPO)).toThrow(/'values\[0\]\.user\.uuid'/);
  });

  it('writes user and group grants with the other principal columns null; a group without slug falls back to full_slug', () => {
    const users = read('project_user_permissions', { values: [{ type: 'project_user_permission', permission: 'create-repo', user: { uuid: '{u-9}', display_name: 'Chen' } }] }, PROJECT);
    const groups = read(
      'project_group_permissions',
      {
        values: [
          { type: 'project_group_permission', permission: 'admin', group: { type: 'group', name: 'Équipe Données', slug: 'equipe-donnees', full_slug: 'acme:equipe-donnees' } },
          { type: 'project_group_permission', permission: 'read', group: { type: 'group', name: 'Readers', full_slug: 'acme:readers' } },
        ],
      },
      PROJECT,
    );
    const base = { project_uuid: '{project-uuid}', project_key: 'PLAT', workspace_uuid: '{ws-uuid}', workspace_slug: 'acme' };
    expect([...users.rows, ...groups.rows]).toEqual([
      { table: 'bitbucket_project_permissions', ...base, principal_type: 'user', account_id: null, user_uuid: '{u-9}', display_name: 'Chen', group_slug: null, group_name: null, permission: 'create-repo' },
      { table: 'bitbucket_project_permissions', ...base, principal_type: 'group', account_id: null, user_uuid: null, display_name: null, group_slug: 'equipe-donnees', group_name: 'Équipe Données', permission: 'admin' },
      { table: 'bitbucket_project_permissions', ...base, principal_type: 'group', account_id: null, user_uuid: null, display_name: null, group_slug: 'readers', group_name: 'Readers', permission: 'read' },
    ]);
    expect(() => read('repository_group_permissions', { values: [{ permission: 'read', group: { name: 'x' } }] }, REPO)).toThrow(/values\[0\]\.group.*neither slug nor full_slug/);
  });

  it('maps repositories: slug from full_name when absent, no main branch, no project, forks', () => {
    const { rows, stream: s, items } = read(
      'repositories',
      {
        values: [
          { type: 'repository', uuid: '{r-1}', full_name: 'acme/api', name: 'api', slug: 'api', is_private: true, project: { type: 'project', uuid: '{p-1}', key: 'PLAT' }, fork_policy: 'no_public_forks', mainbranch: { type: 'branch', name: 'main' } },
          { type: 'repository', uuid: '{r-2}', full_name: 'acme/dépôt-ünïcode', name: 'Dépôt Ünïcode', is_private: false, parent: { full_name: 'acme/api' } },
        ],
        next: 'https://api.bitbucket.org/2.0/repositories/acme?pagelen=100&page=2',
      },
      WS,
    );
    expect(rows.map(({ table: _t, workspace_uuid: _w, workspace_slug: _s, ...r }) => r)).toEqual([
      { repository_uuid: '{r-1}', full_name: 'acme/api', slug: 'api', name: 'api', is_private: true, project_uuid: '{p-1}', project_key: 'PLAT', fork_policy: 'no_public_forks', mainbranch: 'main', parent_full_name: null },
      { repository_uuid: '{r-2}', full_name: 'acme/dépôt-ünïcode', slug: 'dépôt-ünïcode', name: 'Dépôt Ünïcode', is_private: false, project_uuid: null, project_key: null, fork_policy: null, mainbranch: null, parent_full_name: 'acme/api' },
    ]);
    // Children address the repository by its {uuid}, URL-encoded.
    const key = s.childKey(items[0], WS as never);
    expect(key).toEqual({ ws: 'acme', wu: '{ws-uuid}', r: '{r-1}', fn: 'acme/api' });
    const child = stream('repository_user_permissions');
    expect(child.style(key as never).request(null)).toMatchObject({ path: '/2.0/repositories/acme/%7Br-1%7D/permissions-config/users', query: { pagelen: 100 } });
  });

  it('maps every branch restriction: branching model, value absent or null, exempt users without account_id', () => {
    const { rows } = read(
      'branch_restrictions',
      {
        pagelen: 100,
        values: [
          {
            type: 'branchrestriction',
            id: 4000001,
            kind: 'push',
            branch_match_kind: 'glob',
            pattern: 'release/*',
            users: [
              { type: 'user', uuid: '{u-1}', account_id: '557058:abc', display_name: 'A' },
              { type: 'user', uuid: '{u-2}', display_name: 'Former user' },
            ],
            groups: [{ type: 'group', name: 'Developers', slug: 'developers' }, { type: 'group', name: 'on-call 🚨', full_slug: 'acme:on-call' }],
          },
          { type: 'branchrestriction', id: 4000002, kind: 'require_approvals_to_merge', branch_match_kind: 'branching_model', branch_type: 'production', pattern: '', value: 2, users: [], groups: [] },
          // branch_match_kind "The default is glob"; value null; no users/groups fields at all.
          { type: 'branchrestriction', id: 4000003, kind: 'delete', pattern: 'main', value: null },
        ],
      },
      REPO,
    );
    const base = { table: 'bitbucket_branch_restrictions', repository_uuid: '{repo-uuid}', repository_full_name: 'acme/api', workspace_uuid: '{ws-uuid}', workspace_slug: 'acme' };
    expect(rows).toEqual([
      { ...base, restriction_id: '4000001', kind: 'push', branch_match_kind: 'glob', pattern: 'release/*', branch_type: null, value: null, exempt_user_uuids: ['{u-1}', '{u-2}'], exempt_user_account_ids: ['557058:abc'], exempt_group_slugs: ['developers', 'on-call'] },
      { ...base, restriction_id: '4000002', kind: 'require_approvals_to_merge', branch_match_kind: 'branching_model', pattern: null, branch_type: 'production', value: 2, exempt_user_uuids: [], exempt_user_account_ids: [], exempt_group_slugs: [] },
      { ...base, restriction_id: '4000003', kind: 'delete', branch_match_kind: 'glob', pattern: 'main', branch_type: null, value: null, exempt_user_uuids: [], exempt_user_account_ids: [], exempt_group_slugs: [] },
    ]);
  });

  it('follows the opaque next link as given and ends when it is absent; an envelope without values names the field', () => {
    const s = stream('projects');
    const style = s.style(WS as never);
    expect(style.request(null)).toMatchObject({ path: '/2.0/workspaces/acme/projects', query: { pagelen: 100 } });
    const next = 'https://api.bitbucket.org/2.0/workspaces/acme/projects?pagelen=100&cursor=b3BhcXVl';
    const page = style.read({ status: 200, body: { pagelen: 100, values: [{ uuid: '{p}', key: 'K', name: 'n' }], next }, headers: {} }, null, 'GET /t');
    expect(page.next).toBe(next);
    expect(style.request(page.next)).toMatchObject({ path: next });
    expect(style.request(page.next)).not.toHaveProperty('query.pagelen');
    expect(style.read({ status: 200, body: { pagelen: 100, values: [] }, headers: {} }, next, 'GET /t').next).toBeNull();
    expect(() => style.read({ status: 200, body: { pagelen: 10 }, headers: {} }, null, 'GET /t')).toThrow(/'values'/);
  });

  it('permission endpoints name the admin right, the scope, and that access tokens can never read permissions', () => {
    const repo = stream('repository_user_permissions').style(REPO as never).request(null).requires ?? '';
    expect(repo).toMatch(/admin on repository acme\/api/);
    expect(repo).toMatch(/repository:admin/);
    expect(repo).toMatch(/access tokens can never read permissions/);
    const project = stream('project_group_permissions').style(PROJECT as never).request(null).requires ?? '';
    expect(project).toMatch(/admin on project PLAT of workspace 'acme'.*project:admin.*read:project:bitbucket/);
    expect(stream('branch_restrictions').style(REPO as never).request(null).requires).toMatch(/admin:repository:bitbucket/);
  });

  it('collects the listed workspaces (once each) or every workspace the credential sees; bitbucket.org means api.bitbucket.org', () => {
    expect(bitbucketStreams({}).map((s) => s.name)).toEqual(['user_workspaces']);
    const fixed = bitbucketStreams({ workspaces: ['acme', 'labs', 'acme'] });
    expect(fixed.map((s) => s.name)).toEqual(['workspace:acme', 'workspace:labs']);
    expect(fixed[1]?.style(null).request(null)).toMatchObject({ path: '/2.0/workspaces/labs' });
    expect(fixed[0]?.notFound).toBe('fail');
    expect(stream('workspace').notFound).toBe('skip-parent');
    const unit = (siteUrl: string): Unit => ({ org: 'acme', product: 'bitbucket', siteUrl, auth: { kind: 'basic' } });
    expect(bitbucket.baseUrl?.(unit('https://bitbucket.org'))).toBe('https://api.bitbucket.org');
    expect(bitbucket.baseUrl?.(unit('https://api.bitbucket.org'))).toBe('https://api.bitbucket.org');
    expect(bitbucket.baseUrl?.(unit('http://127.0.0.1:8080'))).toBe('http://127.0.0.1:8080');
  });
});
