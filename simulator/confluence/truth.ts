// Simulated Confluence tenant: the ground truth a perfect collector must produce and the minimum number of requests it needs (simulator/confluence.ts has the overview).
import { upmTruth } from '../upm.ts';
import type { confluenceGroupMembers, confluenceGroups, confluenceSettings, confluenceSpacePermissions, confluenceSpaceRoleAssignments, confluenceSpaceRoles, confluenceSpaces, confluenceUsers } from '../../functions/confluence.tables.ts';
import type { RowInput } from '../../shared/schema/table.ts';
import { CONFLUENCE_USER_SEARCH_WINDOW, type ConfluenceModel } from './model.ts';

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

export type Rows<T> = RowInput<T>[];

export const SRC_RETENTION = 'GET /wiki/rest/api/audit/retention';
export const SRC_SYSTEM = 'GET /wiki/rest/api/settings/systemInfo';
export const SRC_MODE = 'GET /wiki/api/v2/space-role-mode';
export const SRC_SEARCH = 'GET /wiki/rest/api/search/user';

export function groundTruth(model: ConfluenceModel): Record<string, Record<string, unknown>[]> {
  const { users, groups, spaces, roles } = model;
  const rolesOn = model.roleMode !== 'PRE_ROLES';

  // The search lists every user (filter all), the first 10,000 only; users-bulk drops vanishing ones.
  const userRows: Rows<typeof confluenceUsers> = [];
  for (let i = 0; i < Math.min(users.count, CONFLUENCE_USER_SEARCH_WINDOW); i++) {
    const u = users.get(i);
    if (u.vanishing) continue;
    userRows.push({
      account_id: u.accountId,
      account_type: u.accountType,
      account_status: u.accountStatus,
      display_name: u.nameHidden ? u.publicName : u.displayName,
      public_name: u.publicName,
      email: u.email,
      is_guest: u.guest,
      personal_space_id: u.personalSpaceId,
      time_zone: u.timeZone,
    });
  }

  const groupRows: Rows<typeof confluenceGroups> = groups.map((gr) => ({ group_id: gr.id, name: gr.name, type: 'group', usage_type: gr.usageType, managed_by: gr.managedBy }));
  const memberRows: Rows<typeof confluenceGroupMembers> = [];
  for (const gr of groups) {
    if (gr.vanishing) continue;
    for (const m of gr.members) {
      const u = users.get(m);
      memberRows.push({
        group_id: gr.id,
        group_name: gr.name,
        account_id: u.accountId,
        account_type: u.accountType === 'unknown' ? null : u.accountType,
        display_name: u.nameHidden ? (u.nameNull ? null : u.publicName) : u.displayName,
        public_name: u.publicName,
        email: u.email,
        is_guest: u.guest,
      });
    }
  }

  const spaceRows: Rows<typeof confluenceSpaces> = spaces.map((s) => ({
    space_id: s.id,
    space_key: s.key,
    name: s.name,
    type: s.type,
    status: s.status,
    author_id: users.accountId(s.authorIndex),
    created_at: s.createdAt,
    homepage_id: s.homepageId ?? null,
  }));
  const permissionRows: Rows<typeof confluenceSpacePermissions> = [];
  const assignmentRows: Rows<typeof confluenceSpaceRoleAssignments> = [];
  for (const s of spaces) {
    if (s.vanishing) continue;
    for (const a of s.permissions) {
      permissionRows.push({ space_id: s.id, space_key: s.key, permission_id: a.id, principal_type: a.principalType, principal_id: a.principalId, operation: a.operation, target_type: a.targetType });
    }
    if (!rolesOn) continue;
    for (const a of s.roleAssignments) {
      assignmentRows.push({ space_id: s.id, space_key: s.key, principal_type: a.principalType, principal_id: a.principalId, role_id: roles[a.roleIndex]?.id ?? '' });
    }
  }
  const roleRows: Rows<typeof confluenceSpaceRoles> = rolesOn
    ? roles.map((r) => ({ role_id: r.id, name: r.name, type: r.type, description: r.description, space_permissions: r.spacePermissions }))
    : [];

  const total = users.count;
  const settingRows: Rows<typeof confluenceSettings> = [
    { key: 'audit.retention.number', value: String(model.auditRetention.number), source: SRC_RETENTION },
    { key: 'audit.retention.units', value: model.auditRetention.units, source: SRC_RETENTION },
    { key: 'system.edition', value: model.edition, source: SRC_SYSTEM },
    { key: 'system.micros_perimeter', value: 'commercial', source: SRC_SYSTEM },
    { key: 'system.site_title', value: 'Acme Confluence — «wiki»', source: SRC_SYSTEM },
    { key: 'system.default_locale', value: 'en_GB', source: SRC_SYSTEM },
    { key: 'system.default_time_zone', value: 'Europe/Berlin', source: SRC_SYSTEM },
    { key: 'space_role_mode', value: model.roleMode, source: SRC_MODE },
    { key: 'users.search_total_size', value: String(total), source: SRC_SEARCH },
    { key: 'users.search_capped', value: String(total >= CONFLUENCE_USER_SEARCH_WINDOW), source: SRC_SEARCH },
  ];

  return {
    confluence_users: userRows,
    confluence_groups: groupRows,
    confluence_group_members: memberRows,
    confluence_spaces: spaceRows,
    confluence_space_permissions: permissionRows,
    confluence_space_roles: roleRows,
    confluence_space_role_assignments: assignmentRows,
    confluence_settings: settingRows,
    confluence_installed_apps: upmTruth(model.apps),
  };
}

/**
 * Requests a perfect client needs at the maximum page sizes, with no faults:
 * user/current + audit/retention + systemInfo + space-role-mode;
 * in ROLES / ROLES_TRANSITION mode: space-roles pages + a second spaces listing + role-assignment pages per space
 * (one 404 per vanishing space);
 * search/user pages (C1: a full last page without a next link needs one more, empty page; the 10,000 window
 * ends the list without asking past it) + one users-bulk per non-empty search page;
 * group pages + member pages per group (one 404 per vanishing group);
 * spaces pages + permission pages per space (C2: the last page has no next link; one 404 per vanishing space).
 */
export function minimumRequests(model: ConfluenceModel): number {
  const { caps } = model;
  const v1 = (n: number, size: number): number => (n === 0 ? 1 : Math.ceil(n / size) + (n % size === 0 ? 1 : 0));
  const v2 = (n: number): number => Math.max(1, Math.ceil(n / caps.v2));
  let n = 4;
  if (model.roleMode !== 'PRE_ROLES') {
    n += v2(model.roles.length) + v2(model.spaces.length);
    for (const s of model.spaces) n += s.vanishing ? 1 : v2(s.roleAssignments.length);
  }
  const listed = Math.min(model.users.count, CONFLUENCE_USER_SEARCH_WINDOW);
  n += model.users.count >= CONFLUENCE_USER_SEARCH_WINDOW ? Math.ceil(CONFLUENCE_USER_SEARCH_WINDOW / caps.userSearch) : v1(listed, caps.userSearch);
  n += Math.ceil(listed / caps.userSearch);
  n += v1(model.groups.length, caps.groups);
  for (const gr of model.groups) n += gr.vanishing ? 1 : v1(gr.members.length, caps.groupMembers);
  n += v2(model.spaces.length);
  for (const s of model.spaces) n += s.vanishing ? 1 : v2(s.permissions.length);
  n += 1; // installed apps (UPM)
  n += 1; // audit records: one page a day (more on a busy site)
  return n;
}
