import { col, defineTable } from '../shared/schema/table.ts';

// Output tables of the Trello collector. Keys and names are a public contract (issue 6); add columns freely,
// never rename or retype one. Trello ids are 24-hex object ids of Trello's own (a member id is not the
// Atlassian account id). What is collected is what the token's member can see: the workspaces it belongs to.

export const trelloWorkspaces = defineTable({
  name: 'trello_workspaces',
  description: "Workspace (Trello 'organization') the token's member belongs to.",
  key: ['organization_id'],
  columns: {
    organization_id: col.string(),
    name: col.string().describe('the short name in the workspace URL'),
    display_name: col.string().nullable(),
    permission_level: col.string().nullable().describe('private | public (prefs.permissionLevel): who can see the workspace'),
    board_visibility_restrict_private: col.string().nullable().describe('who may create private boards: admin | org | none (prefs.boardVisibilityRestrict.private)'),
    enterprise_id: col.string().nullable().describe('the enterprise the workspace belongs to, if any'),
  },
});

export const trelloWorkspaceMembers = defineTable({
  name: 'trello_workspace_members',
  description: 'Membership of a workspace: member type (admin, normal, ...) and whether it is deactivated or unconfirmed.',
  key: ['organization_id', 'member_id'],
  columns: {
    organization_id: col.string(),
    member_id: col.string(),
    username: col.string().nullable(),
    full_name: col.string().nullable(),
    member_type: col.string().describe('admin | normal (workspace memberships; other values are kept as given)'),
    deactivated: col.bool().nullable().describe('the membership is deactivated: the member no longer has access'),
    unconfirmed: col.bool().nullable().describe('invited, account not confirmed yet'),
  },
});

export const trelloBoards = defineTable({
  name: 'trello_boards',
  description: 'Board of a workspace, open or closed, with its visibility.',
  key: ['board_id'],
  columns: {
    board_id: col.string(),
    organization_id: col.string(),
    name: col.string(),
    permission_level: col.string().nullable().describe('private | org | public | enterprise (prefs.permissionLevel)'),
    closed: col.bool().nullable().describe('archived board'),
  },
});

export const trelloBoardMembers = defineTable({
  name: 'trello_board_members',
  description: 'Membership of a board: member type (admin, normal, observer). A board deleted after the listing has no rows.',
  key: ['board_id', 'member_id'],
  columns: {
    board_id: col.string(),
    organization_id: col.string(),
    member_id: col.string(),
    username: col.string().nullable(),
    full_name: col.string().nullable(),
    member_type: col.string().describe('admin | normal | observer'),
    deactivated: col.bool().nullable(),
    unconfirmed: col.bool().nullable(),
  },
});

export const trelloEnterpriseAdmins = defineTable({
  name: 'trello_enterprise_admins',
  description: "Admin of a Trello Enterprise the token's member administers (other enterprises are not readable: no rows).",
  key: ['enterprise_id', 'member_id'],
  columns: {
    enterprise_id: col.string(),
    member_id: col.string(),
    username: col.string().nullable(),
    full_name: col.string().nullable(),
  },
});

/** Every Trello output table, in collection order. */
export const trelloTables = [trelloWorkspaces, trelloWorkspaceMembers, trelloBoards, trelloBoardMembers, trelloEnterpriseAdmins] as const;
