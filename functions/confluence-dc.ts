import { z } from 'zod';
import { nextLink, parsePayload, single, type PageStyle } from '../shared/engine/paginate.ts';
import { AuthenticationError, InstanceSettingError, NotFoundError, UnexpectedResponseError, UnsupportedVersionError, type CollectorError } from '../shared/errors.ts';
import type { HttpClient } from '../shared/http/client.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import type { NoOptions, ProductModule } from '../shared/engine/collect.ts';
import { confluenceGroupMembers, confluenceGroups, confluenceSpacePermissions, confluenceSpaces, confluenceTables, confluenceUsers } from './confluence.tables.ts';
import { str } from '../shared/schema/fields.ts';

// Confluence Data Center REST API (`/rest/api`), below the instance's base URL with its context path
// (`https://wiki.acme.internal/confluence`). Authority: the Confluence Data Center REST reference,
// https://developer.atlassian.com/server/confluence/rest/v1000/ (“DC REST” below, by resource group), and the
// Atlassian issue tracker (CONFSERVER-nnnnn) where it is silent. Personal access token as Bearer.
//
// Identity: DC users have a `userKey` (stable, 32 hex digits) and a `username` (renamable). The Cloud tables'
// `account_id` holds the userKey, because space permissions name users only by userKey (CONFSERVER-100505).
//
// Table differences from Cloud: account_type 'unknown' (none in DC); public_name, is_guest, personal_space_id,
// time_zone null; group_id = the group name (DC groups have no id); spaces' author_id, created_at, homepage_id null;
// space permissions have no id in DC, so permission_id is derived from (principal, operation, target), which is
// unique per space. confluence_space_roles, confluence_space_role_assignments and confluence_settings: not
// collected on DC (empty).

/** Page sizes asked for. */
export const CONFLUENCE_DC_PAGE_SIZES = {
  /** `user/list` (DC REST "User", Confluence 8.4+, CONFSERVER-87291): maximum not documented (unverified). */
  users: 200,
  /** `group` (DC REST "Group"): "may be restricted by fixed system limits"; 200 (unverified). */
  groups: 200,
  /** `group/{groupName}/member` (DC REST "Group"): 200 as the Cloud v1 limit (unverified for DC). */
  groupMembers: 200,
  /** `space` (DC REST "Space"): default 25, maximum not documented; 100 (unverified). */
  spaces: 100,
} as const;

const ADMIN = "the 'Confluence Administrator' global permission for the user who owns the personal access token";
const SPACE_ADMIN = "'System Administrator', or space admin of every space, for the token's user (Confluence 9.1+ for space permissions)";


// DC `PageResponse`: `{results, start, limit, size, _links: {base, context, next?}}` (DC REST, e.g. "Group › Get groups").
const PageResponse = z.object({ results: z.array(z.unknown()), _links: z.object({ context: z.string().nullish(), next: z.string().nullish() }).loose().nullish() }).loose();

/**
 * A DC list: the first page asks `start=0&limit=<pageSize>`, later pages follow `_links.next` as given and the
 * list ends when it is absent. Atlassian's "Pagination in the REST API" (Confluence Server/DC) says to follow
 * `next`; DC builds it as `start + limit` whatever `size` says (CONFSERVER-95396), because `start` counts
 * positions before the permission filter that can shorten a page (CONFSERVER-36578). Advancing by the rows
 * received would read the filtered page's window again, and stopping on `size < limit` would end early. `next`
 * is relative to `_links.base` (which carries the context path): the context path is prefixed here. The key guard
 * drops a repeated row as a second line.
 */
function dcList<T>(
  path: string,
  item: z.ZodType<T>,
  key: (item: T) => string,
  pageSize: number,
  requires: string,
  query?: Readonly<Record<string, string>>,
): PageStyle<T> {
  return nextLink({
    path,
    query: { ...query, start: '0' },
    pageSizeParam: 'limit',
    pageSize,
    item,
    key,
    requires,
    itemsField: 'results',
    items: (body, endpoint) => parsePayload(PageResponse, body, endpoint).results,
    next: (res, endpoint) => {
      const links = parsePayload(PageResponse, res.body, endpoint)._links;
      const next = links?.next;
      if (!next) return undefined;
      if (/^https?:\/\//.test(next)) return next;
      const context = (links.context ?? '').replace(/\/+$/, '');
      return context && !next.startsWith(`${context}/`) ? `${context}${next}` : next;
    },
  });
}

/** DC `Person` of type `known` (DC REST "User"): userKey, username, displayName; e-mail and status only where given. */
export const DcPerson = z.object({
  userKey: z.string().min(1),
  username: z.string().nullish(),
  displayName: str,
  email: z.string().nullish().transform((v) => (v ? v : null)),
  // Confluence 8.4+ `user/list` returns deactivated users too; the field naming their state is unverified:
  // `status` ('active' | 'deactivated' | ...) when present, else unknown (null).
  status: z.string().nullish(),
});
export type DcPersonItem = z.infer<typeof DcPerson>;

export function dcAccountStatus(status: string | null | undefined): string | null {
  if (!status) return null;
  const s = status.toLowerCase();
  return s === 'active' || s === 'current' ? 'active' : s === 'deactivated' || s === 'inactive' || s === 'disabled' ? 'inactive' : 'unknown';
}

// `GET /rest/api/space/{spaceKey}/permissions` (Confluence 9.1+, CONFSERVER-100505): a bare array of
// `{operation: {targetType, operationKey}, subject: {type: 'user', userKey} | {type: 'group', name}, spaceKey, spaceId}`.
export const DcSpacePermission = z.object({
  operation: z.object({ targetType: z.string(), operationKey: z.string() }),
  subject: z.object({ type: z.string(), userKey: z.string().nullish(), name: z.string().nullish() }).nullish(),
});

/** The permission_id of a DC space permission (DC has none): principal, operation and target, unique per space. */
export function dcPermissionId(p: z.infer<typeof DcSpacePermission>): string {
  const principal = p.subject ? `${p.subject.type}:${p.subject.userKey ?? p.subject.name ?? ''}` : 'anonymous:';
  return `${principal}:${p.operation.operationKey}:${p.operation.targetType}`;
}

/** Confluence served the request as anonymous: the PAT was not applied. */
export function anonymousError(endpoint: string): AuthenticationError {
  return new AuthenticationError(
    'Confluence answered as the anonymous user: the personal access token was not accepted. It may be expired or revoked, ' +
      'personal access tokens may be disabled on the instance, or a proxy in front of Confluence may drop the Authorization header. ' +
      'See "Confluence Data Center" in the README (401 and 403).',
    { endpoint },
  );
}

type SpaceKey = { id: string; key: string };

/**
 * The version the instance reports (DC REST "Server Information" `GET /rest/api/server-information`), or null
 * when it does not say (older releases may lack the resource). Only read to explain a failure.
 */
export async function dcServerVersion(client: HttpClient): Promise<string | null> {
  try {
    const res = await client.json({ path: '/rest/api/server-information' });
    const v = z.object({ version: z.string().min(1) }).loose().safeParse(res.body);
    return v.success ? v.data.version : null;
  } catch {
    return null;
  }
}

/**
 * A 404 from an endpoint that exists only from some release on: a version problem, not a vanished parent. Names the
 * endpoint, the version found and the version needed; nothing is published and the previous snapshot stays.
 */
export async function dcVersionError(e: CollectorError, client: HttpClient, endpoint: string, since: string, what: string): Promise<UnsupportedVersionError> {
  const found = await dcServerVersion(client);
  return new UnsupportedVersionError(
    `Confluence answered 404 for ${endpoint}, which Confluence Data Center has only from ${since} on (${what}); this instance ` +
      `${found ? `reports version ${found}` : 'does not report its version (GET /rest/api/server-information is missing too, so it is older than that)'}. ` +
      `Upgrade Confluence to ${since} or later to collect this unit. Nothing was published; the previous snapshot is kept.`,
    { ...e.context, status: 404 },
    { cause: e },
  );
}
type GroupKey = { name: string };

const Space = z.object({ id: z.union([z.string(), z.number()]).transform(String), key: z.string().min(1), name: str, type: str, status: str });

/** Streams of one Confluence DC unit, in collection order. */
export function confluenceDcStreams(): readonly Stream[] {
  const sizes = CONFLUENCE_DC_PAGE_SIZES;

  const currentUser = defineStream({
    name: 'current_user',
    // DC REST "User › Get current user": an expired or revoked PAT fails here (401), before anything is written.
    // This endpoint answers a caller it did not authenticate with `{type: 'anonymous'}` and 200 rather than 401
    // (unverified for PATs), which is a rejected credential too.
    style: () =>
      single({
        path: '/rest/api/user/current',
        item: z.object({ userKey: z.string().min(1) }),
        requires: 'a valid personal access token',
        select: (b, endpoint) => {
          if (parsePayload(z.object({ type: z.string().nullish() }).loose(), b, endpoint).type === 'anonymous') throw anonymousError(endpoint);
          return [b];
        },
      }),
  });

  const users = defineStream({
    name: 'users',
    // DC REST "User › Get registered users" `GET /rest/api/user/list` (Confluence 8.4+: "retrieve all users
    // (including inactive)", CONFSERVER-87291).
    style: () => dcList('/rest/api/user/list', DcPerson, (u) => u.userKey, sizes.users, ADMIN),
    diagnose: async (e, _p, client) =>
      e instanceof NotFoundError ? dcVersionError(e, client, 'GET /rest/api/user/list', '8.4.0', 'CONFSERVER-87291: "retrieve all users (including inactive)"') : undefined,
    rows: (u) => [
      row(confluenceUsers, {
        account_id: u.userKey,
        account_type: 'unknown',
        account_status: dcAccountStatus(u.status),
        display_name: u.displayName,
        public_name: null,
        email: u.email,
        is_guest: null,
        personal_space_id: null,
        time_zone: null,
      }),
    ],
  });

  const groupMembers = defineStream<GroupKey, DcPersonItem>({
    name: 'group_members',
    // DC REST "Group › Get group members" `GET /rest/api/group/{groupName}/member`. 404 = the group was deleted
    // since the listing: skipped.
    style: (g) => dcList(`/rest/api/group/${encodeURIComponent(g.name)}/member`, DcPerson, (u) => u.userKey, sizes.groupMembers, ADMIN),
    // The group name is a path segment: a name with `/` or `\` is sent encoded (%2F, %5C), which Tomcat, in front
    // of every Confluence DC, refuses by default with a bare 400 (Tomcat "encodedSolidusHandling", default reject).
    diagnose: async (e, g) =>
      e instanceof UnexpectedResponseError && e.context.status === 400 && /[/\\]/.test(g.name)
        ? new InstanceSettingError(
            `Confluence's Tomcat refused the member list of group '${g.name}' (HTTP 400): its name contains '/' or '\\', sent encoded in the URL ` +
              `path, and Tomcat rejects encoded slashes by default. Set encodedSolidusHandling="decode" on the Connector in Confluence's ` +
              `conf/server.xml (or, on older Tomcat, -Dorg.apache.tomcat.util.buf.UDecoder.ALLOW_ENCODED_SLASH=true) and restart, or rename the ` +
              `group. Nothing was published; the previous snapshot is kept.`,
            e.context,
            { cause: e },
          )
        : undefined,
    rows: (m, g) => [
      row(confluenceGroupMembers, {
        group_id: g.name,
        group_name: g.name,
        account_id: m.userKey,
        account_type: null,
        display_name: m.displayName,
        public_name: null,
        email: m.email,
        is_guest: null,
      }),
    ],
    notFound: 'skip-parent',
  });

  const groups = defineStream<null, { name: string; type: string | null }, GroupKey>({
    name: 'groups',
    // DC REST "Group › Get groups" `GET /rest/api/group`: `{type: 'group', name}`.
    style: () => dcList('/rest/api/group', z.object({ name: z.string().min(1), type: str }), (g) => g.name, sizes.groups, ADMIN),
    rows: (g) => [row(confluenceGroups, { group_id: g.name, name: g.name, type: g.type, usage_type: null, managed_by: null })],
    childKey: (g) => ({ name: g.name }),
    children: [groupMembers],
  });

  const spacePermissions = defineStream<SpaceKey, z.infer<typeof DcSpacePermission>>({
    name: 'space_permissions',
    // Unpaged bare array (CONFSERVER-100505 shows the shape; paging is not documented: unverified). 404 = the space
    // was deleted since the listing.
    style: (s) => single({ path: `/rest/api/space/${encodeURIComponent(s.key)}/permissions`, item: DcSpacePermission, requires: SPACE_ADMIN }),
    // A 404 means a vanished space only if the space is gone: the space itself is asked (DC REST "Space › Get space").
    // If it still exists, the instance predates the endpoint (Confluence 9.1.0, CONFSERVER-100505): every space would
    // answer 404, and skipping them all would publish "nobody has access to any space". The unit fails instead.
    diagnose: async (e, s, client) => {
      if (!(e instanceof NotFoundError)) return undefined;
      try {
        await client.json({ path: `/rest/api/space/${encodeURIComponent(s.key)}`, requires: SPACE_ADMIN });
      } catch (probe) {
        if (probe instanceof NotFoundError) return 'vanished';
        throw probe;
      }
      return dcVersionError(e, client, 'GET /rest/api/space/{spaceKey}/permissions', '9.1.0', 'CONFSERVER-100505');
    },
    rows: (p, s) => [
      row(confluenceSpacePermissions, {
        space_id: s.id,
        space_key: s.key,
        permission_id: dcPermissionId(p),
        principal_type: p.subject?.type ?? null,
        principal_id: p.subject ? (p.subject.userKey ?? p.subject.name ?? null) : null,
        operation: p.operation.operationKey,
        target_type: p.operation.targetType,
      }),
    ],
    notFound: 'skip-parent',
  });

  // DC REST "Space › Get spaces" `GET /rest/api/space`: `status` filters current or archived spaces (one list each,
  // so archived spaces are not missed whatever the default is); personal and global spaces both, without `type`.
  const spaces = (status: 'current' | 'archived') =>
    defineStream<null, z.infer<typeof Space>, SpaceKey>({
      name: `spaces_${status}`,
      style: () => dcList('/rest/api/space', Space, (sp) => sp.key, sizes.spaces, SPACE_ADMIN, { status }),
      rows: (s) => [
        row(confluenceSpaces, { space_id: s.id, space_key: s.key, name: s.name, type: s.type, status: s.status ?? status, author_id: null, created_at: null, homepage_id: null }),
      ],
      childKey: (s) => ({ id: s.id, key: s.key }),
      children: [spacePermissions],
    });

  return [currentUser, users, groups, spaces('current'), spaces('archived')];
}

/** `--product confluence-dc`. */
export const confluenceDc: ProductModule<'confluence-dc', NoOptions> = (() => {
  const streams = confluenceDcStreams();
  return {
    product: 'confluence-dc',
    title: 'Confluence Data Center',
    options: z.object({}),
    credentials: { kinds: ['bearer', 'basic'], env: ['ATLASSIAN_BEARER_TOKEN', 'ATLASSIAN_EMAIL', 'ATLASSIAN_API_TOKEN', 'ATLASSIAN_SECRET_FILE'] },
    tables: confluenceTables,
    deployment: 'data-center',
    streams: () => streams,
  };
})();
