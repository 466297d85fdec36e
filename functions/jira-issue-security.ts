import { z } from 'zod';
import { pageBean } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { jiraIssueSecurityLevelMembers, jiraIssueSecurityLevels, jiraIssueSecurityProjects, jiraIssueSecuritySchemes } from './jira.tables.ts';

// Jira issue-level security: who may see an issue restricted to a security level. Authority: The Jira Cloud
// platform REST API (v3), "Issue security schemes" group. Every listing below is a PageBean (style J1) and
// needs the 'Administer Jira' global permission; the listings are flat (all schemes, all levels, all members,
// all project mappings, each in one paged list), so the requests do not grow with the number of schemes.
//
// A 403 (an account without 'Administer Jira') leaves the four tables empty and is counted as a skipped
// stream, never failing the unit: the rest of Jira is still worth collecting.

/**
 * Page sizes asked for. None of the four operations states a maximum; 50 is the documented default of each
 * (`maxResults` "default: 50"), and Jira silently lowers a larger size (facts sheet Q2), so 50 is safe.
 */
export const JIRA_ISSUE_SECURITY_PAGE_SIZES = {
  /** GET /rest/api/3/issuesecurityschemes/search */
  schemes: 50,
  /** GET /rest/api/3/issuesecurityschemes/level */
  levels: 50,
  /** GET /rest/api/3/issuesecurityschemes/level/member */
  members: 50,
  /** GET /rest/api/3/issuesecurityschemes/project */
  projects: 50,
} as const;

const REQUIRES = "the 'Administer Jira' global permission (OAuth scope manage:jira-configuration); without it the issue security tables stay empty";

const id = z.union([z.string(), z.number()]).transform(String);
const idOrNull = z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined ? null : String(v)));
const str = z.string().nullish().transform((v) => v ?? null);

// SecuritySchemeWithProjects: id, name, self required; defaultLevel and description optional.
const Scheme = z.object({ id, name: z.string(), description: str, defaultLevel: idOrNull });
// SecurityLevel: every field optional in the schema; a level without id or scheme cannot be keyed.
const Level = z.object({ id, issueSecuritySchemeId: id, name: z.string(), description: str, isDefault: z.boolean().nullish().transform((v) => v ?? null) });
// SecurityLevelMember: holder, id, issueSecurityLevelId, issueSecuritySchemeId required; PermissionHolder: type required.
const Member = z.object({
  id,
  issueSecurityLevelId: id,
  issueSecuritySchemeId: id,
  holder: z.object({ type: z.string(), parameter: str, value: str }),
});
// IssueSecuritySchemeToProjectMapping: both fields optional in the schema; a mapping without them says nothing.
const Mapping = z.object({ issueSecuritySchemeId: id, projectId: id });

const schemes = defineStream({
  name: 'issue_security_schemes',
  style: () =>
    pageBean({ path: '/rest/api/3/issuesecurityschemes/search', pageSize: JIRA_ISSUE_SECURITY_PAGE_SIZES.schemes, item: Scheme, key: (s) => s.id, requires: REQUIRES }),
  rows: (s) => [row(jiraIssueSecuritySchemes, { scheme_id: s.id, name: s.name, description: s.description, default_level_id: s.defaultLevel })],
  optional: true,
});

const levels = defineStream({
  name: 'issue_security_levels',
  style: () => pageBean({ path: '/rest/api/3/issuesecurityschemes/level', pageSize: JIRA_ISSUE_SECURITY_PAGE_SIZES.levels, item: Level, key: (l) => l.id, requires: REQUIRES }),
  rows: (l) => [row(jiraIssueSecurityLevels, { level_id: l.id, scheme_id: l.issueSecuritySchemeId, name: l.name, description: l.description, is_default: l.isDefault })],
  optional: true,
});

const members = defineStream({
  name: 'issue_security_level_members',
  style: () =>
    pageBean({ path: '/rest/api/3/issuesecurityschemes/level/member', pageSize: JIRA_ISSUE_SECURITY_PAGE_SIZES.members, item: Member, key: (m) => m.id, requires: REQUIRES }),
  rows: (m) => [
    row(jiraIssueSecurityLevelMembers, {
      member_id: m.id,
      scheme_id: m.issueSecuritySchemeId,
      level_id: m.issueSecurityLevelId,
      holder_type: m.holder.type,
      holder_parameter: m.holder.parameter,
      holder_value: m.holder.value,
    }),
  ],
  optional: true,
});

const projects = defineStream({
  name: 'issue_security_projects',
  style: () =>
    pageBean({
      path: '/rest/api/3/issuesecurityschemes/project',
      pageSize: JIRA_ISSUE_SECURITY_PAGE_SIZES.projects,
      item: Mapping,
      key: (m) => `${m.issueSecuritySchemeId}:${m.projectId}`,
      requires: REQUIRES,
    }),
  rows: (m) => [row(jiraIssueSecurityProjects, { project_id: m.projectId, scheme_id: m.issueSecuritySchemeId })],
  optional: true,
});

/** The issue security streams, in collection order (run after the projects and permission schemes). */
export const jiraIssueSecurityStreams: readonly Stream[] = [schemes, levels, members, projects];
