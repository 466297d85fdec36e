// Simulated Bitbucket tenant: the ground truth a perfect collector must produce and the minimum number of requests it needs (simulator/bitbucket.ts has the overview).
import type { bitbucketBranchRestrictions, bitbucketDeployKeys, bitbucketPipelineVariables, bitbucketWebhooks, bitbucketProjectPermissions, bitbucketProjects, bitbucketRepositories, bitbucketRepositoryPermissions, bitbucketWorkspaceMembers, bitbucketWorkspaces } from '../../functions/bitbucket.tables.ts';
import type { RowInput } from '../../shared/schema/table.ts';
import { environmentRequests, environmentVariableRows } from '../bitbucket-environments.ts';
import { type BitbucketDeployKeyRecord, type BitbucketModel, type BitbucketRepositoryRecord, type BitbucketScope, type BitbucketUserRecord, type BitbucketVariableRecord, type BitbucketWebhookRecord, type BitbucketWorkspaceRecord, bitbucketDeployKeysOf, bitbucketVariablesOf, bitbucketWebhooksOf } from './model.ts';

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

export type Rows<T> = RowInput<T>[];

export function collected(model: BitbucketModel, scope: BitbucketScope = {}): BitbucketWorkspaceRecord[] {
  if (!scope.workspaces?.length) return model.workspaces;
  const wanted = new Set(scope.workspaces);
  return model.workspaces.filter((w) => wanted.has(w.slug) || wanted.has(w.uuid));
}

export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Rows a perfect collector writes: every workspace, member, project and repository as listed; explicit
 * grants and branch restrictions of every project and repository that still exists when they are read
 * (vanishing ones are listed but their children answer 404).
 */
export function groundTruth(model: BitbucketModel, scope: BitbucketScope = {}): Record<string, Record<string, unknown>[]> {
  const { users } = model;
  const wsRows: Rows<typeof bitbucketWorkspaces> = [];
  const memberRows: Rows<typeof bitbucketWorkspaceMembers> = [];
  const projectRows: Rows<typeof bitbucketProjects> = [];
  const projectPermRows: Rows<typeof bitbucketProjectPermissions> = [];
  const repoRows: Rows<typeof bitbucketRepositories> = [];
  const repoPermRows: Rows<typeof bitbucketRepositoryPermissions> = [];
  const restrictionRows: Rows<typeof bitbucketBranchRestrictions> = [];
  const keyRows: Rows<typeof bitbucketDeployKeys> = [];
  const hookRows: Rows<typeof bitbucketWebhooks> = [];
  const variableRows: Rows<typeof bitbucketPipelineVariables> = [];
  const keyRow = (w: BitbucketWorkspaceRecord, level: 'repository' | 'project', parentUuid: string, parentName: string, k: BitbucketDeployKeyRecord) => ({
    level,
    parent_uuid: parentUuid,
    parent_name: parentName,
    workspace_uuid: w.uuid,
    workspace_slug: w.slug,
    key_id: String(k.id),
    label: k.label,
    comment: k.comment,
    key_type: k.keyType,
    fingerprint: k.fingerprint,
    added_on: isoOrNull(k.addedOn),
    last_used: isoOrNull(k.lastUsed),
    created_by_account_id: users[k.creator]?.accountId ?? null,
  });
  const hookRow = (w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord | null, h: BitbucketWebhookRecord) => ({
    webhook_uuid: h.uuid,
    level: r ? 'repository' : 'workspace',
    workspace_uuid: w.uuid,
    workspace_slug: w.slug,
    repository_uuid: r?.uuid ?? null,
    repository_full_name: r?.fullName ?? null,
    url_host: h.host,
    url: h.cleanUrl,
    description: h.description,
    active: h.active,
    events: h.events,
    secret_set: h.secret !== undefined,
    created_at: isoOrNull(h.createdAt),
  });
  const variableRow = (w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord | null, v: BitbucketVariableRecord) => ({
    level: r ? 'repository' : 'workspace',
    owner_uuid: r?.uuid ?? w.uuid,
    workspace_uuid: w.uuid,
    workspace_slug: w.slug,
    repository_uuid: r?.uuid ?? null,
    repository_full_name: r?.fullName ?? null,
    environment_uuid: null,
    environment_name: null,
    variable_uuid: v.uuid,
    key: v.key,
    secured: v.secured,
  });
  const userCols = (i: number) => {
    const u = users[i];
    return { account_id: u?.accountId ?? null, user_uuid: u?.uuid ?? null, display_name: u?.displayName ?? null, group_slug: null, group_name: null };
  };
  const groupCols = (w: BitbucketWorkspaceRecord, g: number) => {
    const group = w.groups[g];
    return { account_id: null, user_uuid: null, display_name: null, group_slug: group?.slug ?? null, group_name: group?.name ?? null };
  };

  for (const w of collected(model, scope)) {
    const ws = { workspace_uuid: w.uuid, workspace_slug: w.slug };
    wsRows.push({ workspace_uuid: w.uuid, slug: w.slug, name: w.name, is_private: w.isPrivate, is_privacy_enforced: w.isPrivacyEnforced, forking_mode: w.forkingMode, created_on: isoOrNull(w.createdOn) });
    for (const m of w.members) {
      const u = users[m.user];
      if (!u) continue;
      memberRows.push({
        ...ws,
        account_id: u.accountId,
        user_uuid: u.uuid,
        display_name: u.displayName,
        nickname: u.nickname,
        account_status: u.accountStatus,
        permission: m.permission,
        added_on: isoOrNull(m.addedOn),
        last_accessed: isoOrNull(m.lastAccessed),
      });
    }
    for (const p of w.projects) {
      projectRows.push({ project_uuid: p.uuid, ...ws, project_key: p.key, name: p.name, is_private: p.isPrivate, has_publicly_visible_repos: p.hasPubliclyVisibleRepos });
      if (p.vanishing) continue;
      const base = { project_uuid: p.uuid, project_key: p.key, ...ws };
      for (const g of p.users) projectPermRows.push({ ...base, principal_type: 'user', ...userCols(g.user), permission: g.permission });
      for (const g of p.groups) projectPermRows.push({ ...base, principal_type: 'group', ...groupCols(w, g.group), permission: g.permission });
      for (const k of bitbucketDeployKeysOf(model.seed, w, `p${w.projects.indexOf(p)}`, users.length)) keyRows.push(keyRow(w, 'project', p.uuid, p.key, k));
    }
    for (const h of bitbucketWebhooksOf(model.seed, w, null)) hookRows.push(hookRow(w, null, h));
    for (const v of bitbucketVariablesOf(model.seed, w, null)) variableRows.push(variableRow(w, null, v));
    for (const r of w.repositories) {
      const p = w.projects[r.project];
      repoRows.push({
        repository_uuid: r.uuid,
        ...ws,
        full_name: r.fullName,
        slug: r.slug,
        name: r.name,
        is_private: r.isPrivate,
        project_uuid: p?.uuid ?? null,
        project_key: p?.key ?? null,
        fork_policy: r.forkPolicy,
        mainbranch: r.mainbranch,
        parent_full_name: r.parent,
      });
      if (r.vanishing) continue;
      const base = { repository_uuid: r.uuid, repository_full_name: r.fullName, ...ws };
      for (const g of r.users) repoPermRows.push({ ...base, principal_type: 'user', ...userCols(g.user), permission: g.permission });
      for (const g of r.groups) repoPermRows.push({ ...base, principal_type: 'group', ...groupCols(w, g.group), permission: g.permission });
      for (const b of r.restrictions) {
        const exempt = b.users.map((i) => users[i]).filter((u): u is BitbucketUserRecord => u !== undefined);
        restrictionRows.push({
          ...base,
          restriction_id: String(b.id),
          kind: b.kind,
          branch_match_kind: b.branchMatchKind,
          pattern: b.pattern === '' ? null : b.pattern,
          branch_type: b.branchType,
          value: b.value ?? null,
          exempt_user_uuids: exempt.map((u) => u.uuid),
          exempt_user_account_ids: exempt.flatMap((u) => (u.accountId === null ? [] : [u.accountId])),
          exempt_group_slugs: b.groups.map((g) => w.groups[g]?.slug ?? 'unknown'),
        });
      }
      const ri = String(w.repositories.indexOf(r));
      for (const k of bitbucketDeployKeysOf(model.seed, w, ri, users.length)) keyRows.push(keyRow(w, 'repository', r.uuid, r.fullName, k));
      for (const h of bitbucketWebhooksOf(model.seed, w, ri)) hookRows.push(hookRow(w, r, h));
      for (const v of bitbucketVariablesOf(model.seed, w, ri)) variableRows.push(variableRow(w, r, v));
      variableRows.push(...environmentVariableRows(model.seed, w, r));
    }
  }
  return {
    bitbucket_workspaces: wsRows,
    bitbucket_workspace_members: memberRows,
    bitbucket_projects: projectRows,
    bitbucket_project_permissions: projectPermRows,
    bitbucket_repositories: repoRows,
    bitbucket_repository_permissions: repoPermRows,
    bitbucket_branch_restrictions: restrictionRows,
    bitbucket_deploy_keys: keyRows,
    bitbucket_webhooks: hookRows,
    bitbucket_pipeline_variables: variableRows,
  };
}

/**
 * Requests a perfect client needs at pagelen=100 without faults: `/user/workspaces` pages (unless the
 * workspaces are listed), and per workspace: the workspace, its permissions (members) pages, projects pages,
 * per project its user and group grant pages (one 404 for a vanishing one), repositories pages, and per
 * repository its user grant, group grant and branch restriction pages (one 404 for a vanishing one); then
 * the non-human access lists: per project its deploy keys, per repository its deploy keys, webhooks and
 * pipeline variables, its deployment environments and each environment's variables (simulator/bitbucket-environments.ts),
 * per workspace its webhooks and pipeline variables (one page each at these sizes).
 * An empty list still costs one request.
 */
export function minimumRequests(model: BitbucketModel, scope: BitbucketScope = {}): number {
  const pages = (n: number): number => Math.max(1, Math.ceil(n / 100));
  let n = scope.workspaces?.length ? 0 : pages(model.workspaces.length);
  for (const w of collected(model, scope)) {
    n += 1 + pages(w.members.length) + pages(w.projects.length) + pages(w.repositories.length) + 2;
    for (const p of w.projects) n += p.vanishing ? 1 : pages(p.users.length) + pages(p.groups.length) + 1;
    for (const r of w.repositories) n += r.vanishing ? 1 : pages(r.users.length) + pages(r.groups.length) + pages(r.restrictions.length) + 3 + environmentRequests(model.seed, w, r);
  }
  return n;
}
