/**
 * Expected effective Jira project permissions of a simulated tenant, computed from its model (permission
 * schemes, groups, project roles and their actors, application roles, leads), independently of the SQL
 * view `jira_effective_permissions` that the tests compare with it. Same rules, written the other way
 * round: walk each project's scheme grants and expand each holder through the model's own structures.
 */
import type { JiraModel, JiraProjectRecord } from './jira.ts';

/** One expected row of `jira_effective_permissions`, without dt, org and site. */
export interface ExpectedJiraPermission {
  project_id: string;
  project_key: string;
  project_name: string;
  project_archived: boolean;
  project_deleted: boolean;
  permission: string;
  principal_type: 'account' | 'anyone' | 'conditional';
  account_id: string | null;
  display_name: string | null;
  account_type: string | null;
  account_active: boolean | null;
  via: string;
  paths: string;
  path_count: number;
  scheme_id: string;
}

/** Holder types expanded to accounts (or to the 'anyone' row); every other one is conditional. */
const EXPANDED = new Set(['user', 'group', 'projectRole', 'applicationRole', 'projectLead', 'anyone']);

export function expectedJiraEffectivePermissions(model: JiraModel): ExpectedJiraPermission[] {
  const { users, groups, roles, schemes } = model;
  const out: ExpectedJiraPermission[] = [];
  /** Member user indexes of a group, or none when the group vanished before its members were read. */
  const membersOf = (groupIndex: number | undefined): readonly number[] => {
    const g = groupIndex === undefined ? undefined : groups[groupIndex];
    return g && !g.vanishing ? Array.from(g.members) : [];
  };

  const emit = (p: JiraProjectRecord, schemeId: string, acc: Map<string, { permission: string; principal: ExpectedJiraPermission['principal_type']; user: number | null; vias: Set<string>; paths: Set<string> }>) => {
    for (const e of acc.values()) {
      const u = e.user === null ? undefined : users.get(e.user);
      out.push({
        project_id: p.id,
        project_key: p.key,
        project_name: p.name,
        project_archived: p.status === 'archived',
        project_deleted: p.status === 'deleted',
        permission: e.permission,
        principal_type: e.principal,
        account_id: u ? u.accountId : null,
        display_name: u ? u.displayName : null,
        account_type: u ? u.accountType : null,
        account_active: u ? u.active : null,
        via: [...e.vias].sort().join(', '),
        paths: [...e.paths].sort().join('; '),
        path_count: e.paths.size,
        scheme_id: schemeId,
      });
    }
  };

  for (const p of model.projects) {
    if (p.vanishing) continue;
    const scheme = schemes[p.schemeIndex];
    if (!scheme) continue;
    const schemeId = String(scheme.id);
    const acc = new Map<string, { permission: string; principal: ExpectedJiraPermission['principal_type']; user: number | null; vias: Set<string>; paths: Set<string> }>();
    const add = (permission: string, principal: ExpectedJiraPermission['principal_type'], user: number | null, via: string, path: string) => {
      const key = `${permission}|${principal}|${user ?? ''}`;
      let e = acc.get(key);
      if (!e) acc.set(key, (e = { permission, principal, user, vias: new Set(), paths: new Set() }));
      e.vias.add(via);
      e.paths.add(path);
    };
    for (const grant of scheme.grants) {
      const h = grant.holder;
      const base = `scheme=${schemeId} > grant=${grant.id}`;
      const perm = grant.permission;
      if (!EXPANDED.has(h.type)) {
        add(perm, 'conditional', null, h.type, `${base} > ${h.type}${h.value !== undefined ? `=${h.value}` : ''}`);
        continue;
      }
      switch (h.type) {
        case 'user':
          if (h.userIndex !== undefined) add(perm, 'account', h.userIndex, 'user', `${base} > user`);
          break;
        case 'group': {
          const g = h.groupIndex === undefined ? undefined : groups[h.groupIndex];
          for (const m of membersOf(h.groupIndex)) add(perm, 'account', m, 'group', `${base} > group=${g?.groupId}`);
          break;
        }
        case 'projectRole': {
          const role = h.roleIndex === undefined ? undefined : roles[h.roleIndex];
          const inProject = p.roles.find((r) => r.roleIndex === h.roleIndex);
          if (!role || !inProject) break;
          for (const a of inProject.actors) {
            if (a.kind === 'user') add(perm, 'account', a.userIndex, 'project_role_user', `${base} > role=${role.id} > user`);
            else for (const m of membersOf(a.groupIndex)) add(perm, 'account', m, 'project_role_group', `${base} > role=${role.id} > group=${groups[a.groupIndex]?.groupId}`);
          }
          break;
        }
        case 'applicationRole':
          for (const r of model.applicationRoles) {
            if (h.value !== undefined && r.key !== h.value) continue;
            for (const gi of r.groupIndexes) {
              for (const m of membersOf(gi)) add(perm, 'account', m, 'application_role', `${base} > application_role=${h.value ?? '*'} > role_key=${r.key} > group=${groups[gi]?.groupId}`);
            }
          }
          break;
        case 'projectLead':
          add(perm, 'account', p.leadIndex, 'project_lead', `${base} > project_lead`);
          break;
        case 'anyone':
          add(perm, 'anyone', null, 'anyone', `${base} > anyone`);
          break;
      }
    }
    emit(p, schemeId, acc);
  }
  return out;
}
