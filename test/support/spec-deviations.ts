/**
 * The one list of places where the simulators' answers differ from the published OpenAPI response schemas because
 * the real API is documented to differ from its schema (the spec's own prose, or Atlassian's documentation). Every
 * other difference is a simulator bug: fix the simulator, not this list.
 */
import type { AllowedDeviation } from './openapi.ts';

export const ALLOWED_DEVIATIONS: readonly AllowedDeviation[] = [
  // The Jira Cloud platform REST API, schemas User and UserDetails, `emailAddress`: "Depending on the user's privacy
  // setting, this may be returned as null", yet typed as a plain string (facts sheet quirk Q4).
  ...['/rest/api/3/users/search', '/rest/api/3/users', '/rest/api/3/group/member', '/rest/api/3/myself', '/rest/api/3/user/bulk'].map((p) => ({
    operation: `GET ${p}`,
    status: 200,
    errors: /\/emailAddress must be string /,
    reason: 'emailAddress is null for a hidden e-mail: the schema says it "may be returned as null" but types it string',
  })),
  {
    operation: 'GET /rest/api/3/project/search',
    status: 200,
    errors: /^\/values\/\d+\/lead\/emailAddress must be string /,
    reason: 'the project lead (expand=lead, a User) has emailAddress null when hidden, as above',
  },
  // The Jira Cloud platform REST API, GET /rest/api/3/permissionscheme, parameter `expand`: "`group` Returns
  // information about the group that is granted the permission", likewise `projectRole`, `user` and `field`, while the
  // PermissionHolder schema says additionalProperties: false.
  ...['/rest/api/3/permissionscheme', '/rest/api/3/project/{projectKeyOrId}/permissionscheme'].map((p) => ({
    operation: `GET ${p}`,
    status: 200,
    errors: /\/holder must NOT have additional properties \{"additionalProperty":"(group|projectRole|user|field)"\}$/,
    reason: 'expand adds holder.group, .projectRole, .user or .field, which PermissionHolder (additionalProperties: false) does not list',
  })),
  // The Jira Cloud platform REST API, GET /rest/api/3/application-properties: "If you specify a value for the `key`
  // parameter, then an application property is returned as an object (not in an array)", while the 200 schema is an array.
  {
    operation: 'GET /rest/api/3/application-properties',
    status: 200,
    errors: /^\(body\) must be array /,
    reason: 'with `key`, one ApplicationProperty object, not the array the schema describes',
    when: (r) => new URLSearchParams(r.query).has('key'),
  },
  // The Confluence Cloud REST API v2, schema User: `timeZone` "Depending on the user's privacy setting, this may return
  // null" and `personalSpaceId` "Returns null, if no personal space for the user", both typed as plain strings.
  {
    operation: 'POST /wiki/api/v2/users-bulk',
    status: 200,
    errors: /^\/results\/\d+\/(timeZone|personalSpaceId) must be string /,
    reason: 'timeZone (hidden) and personalSpaceId (no personal space) are null as the schema\'s descriptions say, though typed string',
  },
  // The Jira Cloud platform REST API, schema AuditRecordBean, `authorKey`: "Deprecated, use `authorAccountId` instead",
  // yet the schema (additionalProperties: false) lists no `authorAccountId`: the record's author is only there.
  {
    operation: 'GET /rest/api/3/auditing/record',
    status: 200,
    errors: /^\/records\/\d+ must NOT have additional properties \{"additionalProperty":"authorAccountId"\}$/,
    reason: 'authorAccountId, which authorKey\'s description names as its replacement, is not among AuditRecordBean\'s properties',
  },
];
