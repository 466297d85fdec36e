/**
 * Expected effective Jira project permissions of a simulated tenant, computed from its model (permission
 * schemes, groups, project roles and their actors, application roles, leads), independently of the SQL
 * view `jira_effective_permissions` that the tests compare with it. Same rules, written the other way
 * round: walk each project's scheme grants and expand each holder through the model's own structures.
 */
import type { JiraHolderRecord, JiraModel, JiraProjectRecord } from './jira.ts';

/** The project's columns of an expected access row. */
export interface ExpectedProjectColumns {
  project_id: string;
  project_key: string;
  project_name: string;
  project_archived: boolean;
  project_deleted: boolean;
}

/** The principal's columns of an expected access row: the account (null unless 'account'), vias and paths. */
export interface ExpectedPrincipalColumns {
  principal_type: 'account' | 'anyone' | 'conditional';
  account_id: string | null;
  display_name: string | null;
  account_type: string | null;
  account_active: boolean | null;
  via: string;
  paths: string;
  path_count: number;
}

/** One expected row of `jira_effective_permissions`, without dt, org and site. */
export interface ExpectedJiraPermission extends ExpectedProjectColumns, ExpectedPrincipalColumns {
  permission: string;
  scheme_id: string;
}

export function projectColumns(p: JiraProjectRecord): ExpectedProjectColumns {
  return { project_id: p.id, project_key: p.key, project_name: p.name, project_archived: p.status === 'archived', project_deleted: p.status === 'deleted' };
}

/** Holder types expanded to accounts (or to the 'anyone' row); every other one is conditional. */
const EXPANDED = new Set(['user', 'group', 'projectRole', 'applicationRole', 'projectLead', 'anyone']);

export type HolderPrincipal = ExpectedPrincipalColumns['principal_type'];

/** A principal a holder reaches, with every way (`vias`) and path that reaches it. */
export interface Reached {
  principal: HolderPrincipal;
  user: number | null;
  vias: Set<string>;
  paths: Set<string>;
}

/** Note `via` and `path` for the entry at `key`, made by `make` the first time. */
export function addReached<E extends Reached>(acc: Map<string, E>, key: string, make: () => E, via: string, path: string): void {
  let e = acc.get(key);
  if (!e) acc.set(key, (e = make()));
  e.vias.add(via);
  e.paths.add(path);
}

/**
 * Expand one holder (of a permission grant or of an issue security level member) in project `p`: every account it
 * reaches through the model's own structures, the 'anyone' row, or one conditional row for a holder type that is
 * not expanded; each path starts with `base`. A group that vanished before its members were read reaches nobody.
 */
export function expandHolder(model: JiraModel, p: JiraProjectRecord, h: JiraHolderRecord, base: string, add: (principal: HolderPrincipal, user: number | null, via: string, path: string) => void): void {
  const { groups, roles } = model;
  const membersOf = (groupIndex: number | undefined): readonly number[] => {
    const g = groupIndex === undefined ? undefined : groups[groupIndex];
    return g && !g.vanishing ? Array.from(g.members) : [];
  };
  if (!EXPANDED.has(h.type)) {
    add('conditional', null, h.type, `${base} > ${h.type}${h.value !== undefined ? `=${h.value}` : ''}`);
    return;
  }
  switch (h.type) {
    case 'user':
      if (h.userIndex !== undefined) add('account', h.userIndex, 'user', `${base} > user`);
      break;
    case 'group': {
      const g = h.groupIndex === undefined ? undefined : groups[h.groupIndex];
      for (const m of membersOf(h.groupIndex)) add('account', m, 'group', `${base} > group=${g?.groupId}`);
      break;
    }
    case 'projectRole': {
      const role = h.roleIndex === undefined ? undefined : roles[h.roleIndex];
      const inProject = p.roles.find((r) => r.roleIndex === h.roleIndex);
      if (!role || !inProject) break;
      for (const a of inProject.actors) {
        if (a.kind === 'user') add('account', a.userIndex, 'project_role_user', `${base} > role=${role.id} > user`);
        else for (const m of membersOf(a.groupIndex)) add('account', m, 'project_role_group', `${base} > role=${role.id} > group=${groups[a.groupIndex]?.groupId}`);
      }
      break;
    }
    case 'applicationRole':
      for (const r of model.applicationRoles) {
        if (h.value !== undefined && r.key !== h.value) continue;
        for (const gi of r.groupIndexes) {
          for (const m of membersOf(gi)) add('account', m, 'application_role', `${base} > application_role=${h.value ?? '*'} > role_key=${r.key} > group=${groups[gi]?.groupId}`);
        }
      }
      break;
    case 'projectLead':
      add('account', p.leadIndex, 'project_lead', `${base} > project_lead`);
      break;
    case 'anyone':
      add('anyone', null, 'anyone', `${base} > anyone`);
      break;
  }
}

/** The columns an expected row has for its principal: the account (null unless 'account'), vias and paths. */
export function principalColumns(model: JiraModel, e: Reached): ExpectedPrincipalColumns {
  const u = e.user === null ? undefined : model.users.get(e.user);
  return {
    principal_type: e.principal,
    account_id: u ? u.accountId : null,
    display_name: u ? u.displayName : null,
    account_type: u ? u.accountType : null,
    account_active: u ? u.active : null,
    via: [...e.vias].sort().join(', '),
    paths: [...e.paths].sort().join('; '),
    path_count: e.paths.size,
  };
}

export function expectedJiraEffectivePermissions(model: JiraModel): ExpectedJiraPermission[] {
  const out: ExpectedJiraPermission[] = [];
  for (const p of model.projects) {
    if (p.vanishing) continue;
    const scheme = model.schemes[p.schemeIndex];
    if (!scheme) continue;
    const schemeId = String(scheme.id);
    const acc = new Map<string, Reached & { permission: string }>();
    for (const grant of scheme.grants) {
      const permission = grant.permission;
      expandHolder(model, p, grant.holder, `scheme=${schemeId} > grant=${grant.id}`, (principal, user, via, path) =>
        addReached(acc, `${permission}|${principal}|${user ?? ''}`, () => ({ permission, principal, user, vias: new Set(), paths: new Set() }), via, path),
      );
    }
    for (const e of acc.values()) {
      out.push({
        ...projectColumns(p),
        permission: e.permission,
        ...principalColumns(model, e),
        scheme_id: schemeId,
      });
    }
  }
  return out;
}
