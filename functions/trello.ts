import { z } from 'zod';
import type { Unit } from '../shared/config.ts';
import { parsePayload, single, type PageStyle } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import type { NoOptions, ProductModule } from '../shared/engine/collect.ts';
import type { RatePolicy } from '../shared/http/pacing.ts';
import { trelloBoardMembers, trelloBoards, trelloEnterpriseAdmins, trelloTables, trelloWorkspaceMembers, trelloWorkspaces } from './trello.tables.ts';
import { str, bool, nonEmpty } from '../shared/schema/fields.ts';

// Trello REST API v1 (base https://api.trello.com, paths under /1). No OpenAPI file in ../shared/atlassian-openapi;
// the authority is Trello's published docs, cited at each endpoint:
//   auth     https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/ (API key + token; the
//            `Authorization: OAuth oauth_consumer_key="…", oauth_token="…"` header keeps both out of URLs)
//   members  https://developer.atlassian.com/cloud/trello/rest/api-group-members/ (GET /1/members/{id}/organizations,
//            GET /1/members/{id})
//   orgs     https://developer.atlassian.com/cloud/trello/rest/api-group-organizations/ (GET /1/organizations/{id}/memberships,
//            GET /1/organizations/{id}/boards)
//   boards   https://developer.atlassian.com/cloud/trello/rest/api-group-boards/ (GET /1/boards/{id}/memberships)
//   ent.     https://developer.atlassian.com/cloud/trello/rest/api-group-enterprises/ (GET /1/enterprises/{id}/admins)
// None of these lists is paginated: each answers one JSON array (the docs give no paging parameters for them;
// `before`/`since`/`limit` paging exists only for actions and cards). A very large workspace in one response
// is Trello's behaviour, not a shortcut here.

// Named in 403/404 messages. Trello answers most refusals with 401 "unauthorized permission requested" (the
// hint in shared/http/auth.ts says so), so these mostly show up when a resource is missing.
const requires = {
  me: "a Trello token with the 'read' scope",
  workspace: (o: string) => `membership of workspace ${o} for the token's member (token scope 'read')`,
  board: (b: string) => `access to board ${b}: the token's member must be a board member, or a workspace admin for workspace-visible boards`,
  enterprise: (e: string) => `enterprise admin rights in enterprise ${e} for the token's member`,
};

const arr = z.array(z.unknown());

export const TrelloOrganization = z.object({
  id: z.string().min(1),
  name: z.string(),
  displayName: str,
  // `prefs.permissionLevel`: "private" | "public"; `prefs.boardVisibilityRestrict.private`: admin | org | none.
  prefs: z
    .object({ permissionLevel: str, boardVisibilityRestrict: z.object({ private: str }).nullish() })
    .nullish(),
  idEnterprise: nonEmpty,
});

// Organization and board memberships share one shape: `{id, idMember, memberType, unconfirmed, deactivated,
// member?}`; `member` is there with `member=true`.
export const TrelloMembership = z.object({
  idMember: z.string().min(1),
  memberType: z.string().min(1),
  unconfirmed: bool,
  deactivated: bool,
  member: z.object({ id: z.string().min(1), username: str, fullName: str }).nullish(),
});

export const TrelloBoard = z.object({
  id: z.string().min(1),
  name: z.string(),
  closed: bool,
  idOrganization: nonEmpty,
  prefs: z.object({ permissionLevel: str }).nullish(),
});

const TrelloMember = z.object({ id: z.string().min(1), username: str, fullName: str });

// `idEnterprisesAdmin`: the enterprises the member administers (a field of the Member object; unverified that
// every token sees it — absent means none).
const Me = z.object({ id: z.string().min(1), idEnterprisesAdmin: z.array(z.string().min(1)).nullish() });

/** One unpaged Trello list: the body is the array itself. */
function list<T>(path: string, item: z.ZodType<T>, needs: string, query: Readonly<Record<string, string>>): PageStyle<T> {
  return single({ path, item, requires: needs, query, select: (body, endpoint) => parsePayload(arr, body, endpoint) });
}

const seg = encodeURIComponent;

type OrgKey = { o: string };
type BoardKey = { o: string; b: string };

/** The member columns of a workspace or board membership (the two tables share them). */
const membershipColumns = (m: z.infer<typeof TrelloMembership>) => ({
  member_id: m.idMember,
  username: m.member?.username ?? null,
  full_name: m.member?.fullName ?? null,
  member_type: m.memberType,
  deactivated: m.deactivated,
  unconfirmed: m.unconfirmed,
});

const workspaceMembers = defineStream<OrgKey, z.infer<typeof TrelloMembership>>({
  name: 'workspace_members',
  // `filter=all`: active, deactivated and unconfirmed memberships (filter values "all or a comma-separated list
  // of: active, admin, deactivated, me, normal"); `member=true` nests the member (username, full name).
  style: (k) => list(`/1/organizations/${seg(k.o)}/memberships`, TrelloMembership, requires.workspace(k.o), { filter: 'all', member: 'true' }),
  rows: (m, k) => [row(trelloWorkspaceMembers, { organization_id: k.o, ...membershipColumns(m) })],
  notFound: 'skip-parent',
});

const boardMembers = defineStream<BoardKey, z.infer<typeof TrelloMembership>>({
  name: 'board_members',
  // Board memberships, `filter=all` ("One of admins, all, none, normal"), `member=true`. A board deleted after
  // the listing answers 404: skipped.
  style: (k) => list(`/1/boards/${seg(k.b)}/memberships`, TrelloMembership, requires.board(k.b), { filter: 'all', member: 'true' }),
  rows: (m, k) => [row(trelloBoardMembers, { board_id: k.b, organization_id: k.o, ...membershipColumns(m) })],
  notFound: 'skip-parent',
});

const boards = defineStream<OrgKey, z.infer<typeof TrelloBoard>, BoardKey>({
  name: 'boards',
  // `filter=all`: open and closed boards (filter "all, open, closed, members, organization, public").
  style: (k) =>
    list(`/1/organizations/${seg(k.o)}/boards`, TrelloBoard, requires.workspace(k.o), { filter: 'all', fields: 'id,name,closed,idOrganization,prefs' }),
  rows: (b, k) => [
    row(trelloBoards, { board_id: b.id, organization_id: b.idOrganization ?? k.o, name: b.name, permission_level: b.prefs?.permissionLevel ?? null, closed: b.closed }),
  ],
  childKey: (b, k) => ({ o: k.o, b: b.id }),
  children: [boardMembers],
  notFound: 'skip-parent',
});

const workspaces = defineStream<null, z.infer<typeof TrelloOrganization>, OrgKey>({
  name: 'workspaces',
  // The workspaces of the token's member: Trello has no "every workspace" list outside an enterprise.
  style: () => list('/1/members/me/organizations', TrelloOrganization, requires.me, { fields: 'id,name,displayName,prefs,idEnterprise' }),
  rows: (o) => [
    row(trelloWorkspaces, {
      organization_id: o.id,
      name: o.name,
      display_name: o.displayName,
      permission_level: o.prefs?.permissionLevel ?? null,
      board_visibility_restrict_private: o.prefs?.boardVisibilityRestrict?.private ?? null,
      enterprise_id: o.idEnterprise,
    }),
  ],
  childKey: (o) => ({ o: o.id }),
  children: [workspaceMembers, boards],
});

type EnterpriseKey = { e: string };

const enterpriseAdmins = defineStream<EnterpriseKey, z.infer<typeof TrelloMember>>({
  name: 'enterprise_admins',
  // Enterprise endpoints need a token of an enterprise admin; only enterprises listed in the member's
  // `idEnterprisesAdmin` are read, so other tokens make no request here.
  style: (k) => list(`/1/enterprises/${seg(k.e)}/admins`, TrelloMember, requires.enterprise(k.e), { fields: 'id,username,fullName' }),
  rows: (m, k) => [row(trelloEnterpriseAdmins, { enterprise_id: k.e, member_id: m.id, username: m.username, full_name: m.fullName })],
  notFound: 'skip-parent',
});

const me = defineStream<null, { e: string }, EnterpriseKey>({
  name: 'me',
  style: () =>
    single({
      path: '/1/members/me',
      query: { fields: 'id,idEnterprisesAdmin' },
      item: z.object({ e: z.string().min(1) }),
      requires: requires.me,
      select: (body, endpoint) => (parsePayload(Me, body, endpoint).idEnterprisesAdmin ?? []).map((e) => ({ e })),
    }),
  childKey: (x) => ({ e: x.e }),
  children: [enterpriseAdmins],
});

/** Streams of a Trello unit, in collection order. */
export function trelloStreams(_unit?: Pick<Unit, 'product'>): readonly Stream[] {
  return [workspaces, me];
}

// The API host: `siteUrl` as configured, except the web host trello.com, whose API lives on api.trello.com.
function apiBase(unit: Unit): string {
  const u = new URL(unit.siteUrl);
  return /^(www\.)?trello\.com$/i.test(u.hostname) ? 'https://api.trello.com' : unit.siteUrl;
}

/**
 * Trello's budget (https://developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/): 100 requests per
 * 10 s per token and 300 per key. Every answer tells both in `x-rate-limit-api-token-{interval-ms,max,remaining}`
 * and the `-key-` twins (shown in Atlassian's developer community answer "What are Trello's rate limits?");
 * the 429 carries no `Retry-After`, so after one the client waits the interval the headers told.
 */
export const TRELLO_RATE: RatePolicy = {
  source: 'Trello "Rate Limits" (https://developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/)',
  budgets: (['token', 'key'] as const).map((name) => ({
    name,
    windowMs: 10_000,
    limit: name === 'token' ? 100 : 300,
    headers: {
      limit: `x-rate-limit-api-${name}-max`,
      remaining: `x-rate-limit-api-${name}-remaining`,
      intervalMs: `x-rate-limit-api-${name}-interval-ms`,
    },
  })),
};

export const trello: ProductModule<'trello', NoOptions> = {
  product: 'trello',
  title: 'Trello',
  options: z.object({}),
  credentials: { kinds: ['trello'], envKind: 'trello', env: ['TRELLO_API_KEY', 'TRELLO_TOKEN', 'ATLASSIAN_SECRET_FILE'] },
  tables: trelloTables,
  streams: trelloStreams,
  baseUrl: apiBase,
  rateLimit: TRELLO_RATE,
};
