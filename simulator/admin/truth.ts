// Simulated Admin tenant: the ground truth a perfect collector must produce and the minimum number of requests it needs (simulator/admin.ts has the overview).
import type { RowInput } from '../../shared/schema/table.ts';
import type { adminApiTokens, adminServiceAccountApiTokens, adminServiceAccountOauthClients, adminServiceAccounts, adminDirectories, adminDomains, adminGroupMembers, adminGroupRoleAssignments, adminGroups, adminOrgs, adminPolicies, adminPolicyResources, adminUserProductAccess, adminUsers, adminWorkspaces } from '../../functions/admin.tables.ts';
import { type AdminModel, AdminUsers, V2_MAX, WORKSPACES_MAX, listedTokens, tokenStatus } from './model.ts';

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

export type Rows<T> = RowInput<T>[];

/** Accounts whose API tokens the collector reads with `mode`: managed, and not closed (or active only). */
export function tokenAccount(users: AdminUsers, i: number, mode: 'managed' | 'active' | 'none'): boolean {
  if (mode === 'none' || !users.isManaged(i)) return false;
  return mode === 'active' ? users.accountStatus(i) === 'active' : users.accountStatus(i) !== 'closed';
}

export function groundTruth(model: AdminModel, apiTokens: 'managed' | 'active' | 'none' = 'managed'): Record<string, Record<string, unknown>[]> {
  const { users, groups, workspaces } = model;
  // The organization listing fills admin_api_tokens unless the key may not read it (then per account).
  const listing = !model.forbidden.has('org-api-tokens');
  const orgs: Rows<typeof adminOrgs> = [{ org_id: model.orgId, name: model.orgName }];
  const directories: Rows<typeof adminDirectories> = model.directories.map((d) => ({ directory_id: d.directoryId, name: d.name }));
  const domains: Rows<typeof adminDomains> = model.domains.map((d) => ({ domain_id: d.id, name: d.name, claim_type: d.claim?.type ?? null, claim_status: d.claim?.status ?? null }));
  const ws: Rows<typeof adminWorkspaces> = workspaces.map((w) => ({
    workspace_id: w.id,
    cloud_id: w.cloudId,
    name: w.name,
    type: w.type,
    type_key: w.typeKey,
    host_url: w.hostUrl,
    status: w.status,
    created_at: w.createdAt === undefined ? null : new Date(w.createdAt).toISOString(),
  }));
  const policies: Rows<typeof adminPolicies> = model.policies.map((p) => ({ policy_id: p.id, name: p.name ?? null, type: p.type, status: p.status ?? null, rule_in: p.ruleIn ?? [] }));
  const policyResources: Rows<typeof adminPolicyResources> = model.policies.flatMap((p) => (p.resources ?? []).map((r) => ({ policy_id: p.id, resource_id: r.id, application_status: r.applicationStatus })));
  const groupRows: Rows<typeof adminGroups> = groups.map((g) => ({
    group_id: g.id,
    name: g.name,
    description: g.description ?? null,
    directory_id: model.directories[g.directory]?.directoryId ?? null,
    managed_by: g.managedBy,
    synced: g.externalSynced,
    member_count: g.members.length,
    resource_count: g.resources,
  }));
  const roleRows: Rows<typeof adminGroupRoleAssignments> = groups.flatMap((g) =>
    g.vanishing
      ? []
      : g.roleAssignments.flatMap((a): Rows<typeof adminGroupRoleAssignments> => {
          const w = workspaces[a.workspace];
          const base = { group_id: g.id, resource_id: w?.id ?? null, resource_owner: w?.typeKey ?? null, cloud_id: w?.cloudId ?? null, default_role: a.defaultRole };
          return a.roles.length ? a.roles.map((role) => ({ ...base, role })) : [{ ...base, role: null }];
        }),
  );
  const memberRows: Rows<typeof adminGroupMembers> = groups.flatMap((g) => Array.from(g.members, (u) => ({ group_id: g.id, account_id: users.accountId(u), group_name: g.name })));

  const userRows: Rows<typeof adminUsers> = [];
  const accessRows: Rows<typeof adminUserProductAccess> = [];
  const tokenRows: Rows<typeof adminApiTokens> = [];
  for (let i = 0; i < users.count; i++) {
    const accountId = users.accountId(i);
    const access = users.productAccess(i, workspaces);
    const latest = access.map((p) => p.lastActiveNorm).filter((t): t is string => t !== null).sort().pop() ?? null;
    const added = users.addedToOrg(i);
    userRows.push({
      account_id: accountId,
      account_type: 'atlassian',
      account_status: users.accountStatus(i),
      membership_status: users.membershipStatus(i),
      status: users.status(i),
      claim_status: users.isManaged(i) ? 'managed' : 'unmanaged',
      management_source: users.managementSource(i) ?? null,
      email: users.email(i),
      email_verified: users.emailVerified(i),
      name: users.name(i),
      nickname: users.nickname(i) ?? null,
      mfa_enabled: users.mfaEnabled(i),
      added_to_org: added === null ? null : new Date(added).toISOString(),
      last_active: latest,
      platform_roles: users.platformRoles(i),
    });
    for (const p of access) {
      const w = workspaces[p.workspace];
      accessRows.push({ account_id: accountId, product_key: w?.productKey ?? null, resource_id: w?.id ?? null, cloud_id: w?.cloudId ?? null, last_active: p.lastActiveNorm });
    }
    if (!listing && tokenAccount(users, i, apiTokens) && !model.vanishing.has(i)) {
      for (const t of users.tokens(i)) {
        tokenRows.push({ account_id: accountId, token_id: t.id, label: t.label, created_at: t.createdAtNorm, last_access: t.lastAccessNorm, expires_at: t.expiryNorm, status: null, source: 'per-account' });
      }
    }
  }
  if (listing && apiTokens !== 'none') {
    for (const { i, t } of listedTokens(model)) {
      tokenRows.push({ account_id: users.accountId(i), token_id: t.id, label: t.label, created_at: t.createdAtNorm, last_access: t.lastAccessNorm, expires_at: t.expiryNorm, status: tokenStatus(model, i, t), source: 'org-listing' });
    }
  }
  const saAllowed = !model.forbidden.has('service-accounts');
  const credsAllowed = saAllowed && !model.forbidden.has('service-account-credentials');
  const saRows: Rows<typeof adminServiceAccounts> = saAllowed
    ? model.serviceAccounts.map((a) => ({
        service_account_id: a.id,
        account_id: a.atlassianId,
        email: a.email,
        display_name: a.displayName,
        status: a.status,
        description: a.description ?? null,
        created_by_id: a.createdById,
        updated_at: new Date(a.updatedAt).toISOString(),
      }))
    : [];
  const saTokenRows: Rows<typeof adminServiceAccountApiTokens> = credsAllowed
    ? model.serviceAccounts.flatMap((a) =>
        a.tokens.map((t) => ({ service_account_id: a.id, token_id: t.id, label: t.label, status: t.status, created_at: t.createdAt, last_access: t.lastActiveAt ?? null, expires_at: t.expiresAt ?? null })),
      )
    : [];
  const saClientRows: Rows<typeof adminServiceAccountOauthClients> = credsAllowed
    ? model.serviceAccounts.flatMap((a) =>
        a.clients.map((c) => ({ service_account_id: a.id, client_id: c.clientId, name: c.name, status: c.status, created_at: new Date(c.createdAt).toISOString(), updated_at: new Date(c.updatedAt).toISOString() })),
      )
    : [];

  return {
    admin_orgs: orgs,
    admin_directories: directories,
    admin_domains: domains,
    admin_workspaces: ws,
    admin_policies: policies,
    admin_policy_resources: policyResources,
    admin_groups: groupRows,
    admin_group_role_assignments: roleRows,
    admin_users: userRows,
    admin_user_product_access: accessRows,
    admin_group_members: memberRows,
    admin_api_tokens: tokenRows,
    admin_service_accounts: saRows,
    admin_service_account_api_tokens: saTokenRows,
    admin_service_account_oauth_clients: saClientRows,
  };
}

/**
 * Requests a perfect client needs at the maximum page sizes, with no faults: organization + directories
 * pages (100) + domains pages (server page size) + workspaces pages (1000) + policies pages (server page
 * size) + groups/search pages (100) + per group with resources (counts.resources > 0) its role-assignments
 * pages (100; a 404 for each vanishing group) + users/search pages (100, memberships and product access included) + the API token listing's
 * pages (server page size) or, when it is refused, that refused request + the managed accounts' users/search
 * pages (100) + one API token request per managed, not closed account (a 404 for each vanishing one) +
 * service account pages and, per service account, its token and OAuth client pages (a refusal is one request).
 * Cursor styles end on a missing `links.next`, so there is no trailing empty page.
 */
export function minimumRequests(model: AdminModel, apiTokens: 'managed' | 'active' | 'none' = 'managed'): number {
  const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));
  let n = 1;
  n += pages(model.directories.length, V2_MAX);
  n += pages(model.domains.length, model.v1PageSize);
  n += pages(model.workspaces.length, WORKSPACES_MAX);
  n += pages(model.policies.length, model.v1PageSize);
  n += pages(model.groups.length, V2_MAX);
  // A group whose counts.resources is 0 is not asked for role assignments.
  for (const g of model.groups) n += g.resources === 0 ? 0 : g.vanishing ? 1 : pages(g.roleAssignments.length, V2_MAX);
  n += pages(model.users.count, V2_MAX);
  if (apiTokens !== 'none') {
    if (!model.forbidden.has('org-api-tokens')) n += pages(listedTokens(model).length, model.accessPageSize);
    else {
      let managed = 0;
      for (let i = 0; i < model.users.count; i++) if (tokenAccount(model.users, i, apiTokens)) managed++;
      n += 1 + pages(managed, V2_MAX) + managed;
    }
  }
  n += model.forbidden.has('service-accounts') ? 1 : pages(model.serviceAccounts.length, model.accessPageSize);
  if (!model.forbidden.has('service-accounts')) {
    for (const a of model.serviceAccounts) n += model.forbidden.has('service-account-credentials') ? 2 : pages(a.tokens.length, model.accessPageSize) + pages(a.clients.length, model.accessPageSize);
  }
  n += 1; // audit events: one page a day (more on a busy organization)
  return n;
}
