// Simulated Jira tenant: the ground truth a perfect collector must produce and the minimum number of requests it needs (simulator/jira.ts has the overview).
import { upmTruth } from '../upm.ts';
import { pager } from '../paging.ts';
import { issueSecurityMinimumRequests, issueSecurityTruth } from '../jira-issue-security.ts';
import type { jiraApplicationRoles, jiraGroupMembers, jiraGroups, jiraPermissionGrants, jiraPermissionSchemes, jiraProjectRoleActors, jiraProjectRoles, jiraProjects, jiraSettings, jiraUsers } from '../../functions/jira.tables.ts';
import type { RowInput } from '../../shared/schema/table.ts';
import type { JiraGroupRecord, JiraModel, JiraUserRecord } from './model.ts';

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

export type Rows<T> = RowInput<T>[];

export function groundTruth(model: JiraModel): Record<string, Record<string, unknown>[]> {
  const { users, groups, projects, roles, schemes } = model;

  const userRecords: JiraUserRecord[] = [];
  const jiraUsersRows: Rows<typeof jiraUsers> = [];
  for (let i = 0; i < users.count; i++) {
    const u = users.get(i);
    userRecords.push(u);
    jiraUsersRows.push({
      account_id: u.accountId,
      account_type: u.accountType,
      display_name: u.displayName,
      email_address: u.emailAddress,
      active: u.active,
      app_type: u.appType ?? null,
      guest: u.guest ?? null,
      locale: u.locale,
      time_zone: u.timeZone,
    });
  }

  const groupRows: Rows<typeof jiraGroups> = groups.map((g) => ({ group_id: g.groupId, name: g.name }));

  const memberRows: Rows<typeof jiraGroupMembers> = [];
  for (const g of groups) {
    if (g.vanishing) continue;
    for (const m of g.members) {
      const u = userRecords[m] ?? users.get(m);
      memberRows.push({ group_id: g.groupId, group_name: g.name, account_id: u.accountId, account_type: u.accountType, display_name: u.displayName, email_address: u.emailAddress, active: u.active });
    }
  }

  const appRoleRows: Rows<typeof jiraApplicationRoles> = [];
  for (const r of model.applicationRoles) {
    const common = {
      role_key: r.key,
      name: r.name,
      number_of_seats: r.numberOfSeats ?? null,
      remaining_seats: r.remainingSeats ?? null,
      user_count: r.userCount,
      has_unlimited_seats: r.hasUnlimitedSeats,
      platform: r.platform,
    };
    const gs = r.groupIndexes.map((g) => groups[g]).filter((g): g is JiraGroupRecord => g !== undefined);
    if (gs.length === 0) appRoleRows.push({ ...common, group_id: null, group_name: null, is_default_group: false });
    for (const g of gs) appRoleRows.push({ ...common, group_id: g.groupId, group_name: g.name, is_default_group: r.defaultGroupIndexes.includes(g.index) });
  }

  const projectRows: Rows<typeof jiraProjects> = [];
  const actorRows: Rows<typeof jiraProjectRoleActors> = [];
  for (const p of projects) {
    if (p.vanishing) continue;
    projectRows.push({
      project_id: p.id,
      project_key: p.key,
      name: p.name,
      project_type_key: p.projectTypeKey,
      style: p.style,
      is_private: p.isPrivate,
      archived: p.status === 'archived',
      deleted: p.status === 'deleted',
      lead_account_id: users.accountId(p.leadIndex),
      permission_scheme_id: String(schemes[p.schemeIndex]?.id ?? ''),
    });
    for (const pr of p.roles) {
      const role = roles[pr.roleIndex];
      if (!role) continue;
      for (const a of pr.actors) {
        const g = a.kind === 'group' ? groups[a.groupIndex] : undefined;
        actorRows.push({
          project_id: p.id,
          project_key: p.key,
          role_id: String(role.id),
          role_name: role.name,
          actor_type: a.kind,
          account_id: a.kind === 'user' ? users.accountId(a.userIndex) : null,
          group_id: g ? g.groupId : null,
          group_name: g ? g.name : null,
        });
      }
    }
  }

  const roleRows: Rows<typeof jiraProjectRoles> = roles.map((r) => ({ role_id: String(r.id), name: r.name, description: r.description, admin: r.admin, is_default: r.isDefault }));
  const schemeRows: Rows<typeof jiraPermissionSchemes> = schemes.map((s) => ({ scheme_id: String(s.id), name: s.name, description: s.description ?? null }));
  const grantRows: Rows<typeof jiraPermissionGrants> = schemes.flatMap((s) =>
    s.grants.map((gr) => ({
      scheme_id: String(s.id),
      grant_id: String(gr.id),
      permission: gr.permission,
      holder_type: gr.holder.type,
      holder_parameter: gr.holder.parameter ?? null,
      holder_value: gr.holder.value ?? null,
    })),
  );
  const settingRows: Rows<typeof jiraSettings> = model.properties.map((p) => ({ key: p.id, value: p.value ?? null, name: p.name, type: p.type, default_value: p.defaultValue ?? null }));

  return {
    jira_users: jiraUsersRows,
    jira_groups: groupRows,
    jira_group_members: memberRows,
    jira_application_roles: appRoleRows,
    jira_projects: projectRows,
    jira_project_roles: roleRows,
    jira_project_role_actors: actorRows,
    jira_permission_schemes: schemeRows,
    jira_permission_grants: grantRows,
    jira_settings: settingRows,
    jira_installed_apps: upmTruth(model.apps),
    ...issueSecurityTruth(model),
  };
}

/**
 * Requests a perfect client needs at the maximum page sizes, with no faults:
 * myself + users/search pages (as the server's own next start goes; the final empty page included: J2 has no end flag) + group/bulk
 * pages + group/member pages (members incl. inactive; one 404 per vanishing group) +
 * applicationrole + project/search pages (all statuses) + per live-or-not project (permission
 * scheme + role map + one per role in its map; one 404 per vanishing project) + role +
 * permissionscheme + application-properties.
 */
export function minimumRequests(model: JiraModel): number {
  const { caps } = model;
  const pages = (n: number, cap: number): number => Math.max(1, Math.ceil(n / cap));
  let n = 1; // myself
  n += pager(model.seed, model.shortPages).pages('users', model.users.count, caps.usersSearch) + 1;
  n += pages(model.groups.length, caps.groupBulk);
  for (const g of model.groups) n += g.vanishing ? 1 : pages(g.members.length, caps.groupMember);
  n += 1; // applicationrole
  n += pages(model.projects.length, caps.projectSearch);
  for (const p of model.projects) n += p.vanishing ? 1 : 2 + p.roles.length;
  n += 3; // role, permissionscheme, application-properties
  n += 1; // installed apps (UPM)
  n += 1; // audit records: one page a day (more on a busy site)
  n += issueSecurityMinimumRequests(model);
  return n;
}
