import { z } from 'zod';
import type { Unit } from '../shared/config.ts';
import { offset, single, type PageStyle } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { ATLASSIAN_CLOUD_CREDENTIALS, type ProductModule } from '../shared/engine/collect.ts';
import { assetsObjectSchemas, assetsObjectTypes, assetsObjects, assetsTables, assetsWorkspaces } from './assets.tables.ts';
import { id, str, bool, int } from '../shared/schema/fields.ts';

// Assets (JSM CMDB) Cloud REST. There is no Assets spec file (facts sheet §11); sources, per endpoint:
// - workspace id: JSM `GET /rest/servicedeskapi/assets/workspace`
//   (jira-service-management.json#/paths/~1rest~1servicedeskapi~1assets~1workspace/get).
// - `GET /objectschema/list`: facts sheet §8 (jira-insights-api `DefaultService.schemaList`) and
//   https://mrrefactoring.github.io/jira.js/api/functions/assets.findSchemas (startAt, maxResults, includeCounts;
//   envelope {startAt, maxResults, total, isLast?, last?, values}).
// - `GET /objectschema/{id}/objecttypes/flat`: https://mrrefactoring.github.io/jira.js/api/functions/assets.findSchemaObjectTypesFlat
//   (bare array of ObjectType; includeObjectCounts).
// - `POST /object/aql`: facts sheet §3 "AS" and §8; https://mrrefactoring.github.io/jira.js/api/functions/assets.findObjectsByAql
//   (query startAt, maxResults, includeAttributes; body {qlQuery}; end `isLast: true`).
//
// Base URL: one unit has one origin (the HTTP client refuses others), and the workspace id comes from the
// JSM API; both live under the OAuth / scoped-token gateway `https://api.atlassian.com/ex/jira/{cloudId}`
// (facts sheet §2: `.../ex/jira/{cloudId}/rest/servicedeskapi/...` and `.../ex/jira/{cloudId}/jsm/assets/workspace/{id}/v1`).
// That is the default base for bearer tokens; `unit.apiBaseUrl` overrides it and `unit.assets.pathPrefix` moves the
// Assets part. A classic API token (basic auth, no apiBaseUrl) follows the Assets REST API guide instead: the workspace
// id from the site, the Assets API on https://api.atlassian.com/jsm/assets/... (two origins, see `classicToken`).

export const ASSETS_GATEWAY = 'https://api.atlassian.com/ex/jira/{cloudId}';
export const DEFAULT_ASSETS_PATH_PREFIX = '/jsm/assets';
/** Where a classic API token calls the Assets API (Atlassian's "Assets REST API guide"). */
export const DEFAULT_ASSETS_API_URL = 'https://api.atlassian.com';

/**
 * Page sizes asked for. Neither maximum is published (facts sheet §11 "Assets maxResults"); the server may
 * return fewer, and the offset style advances by the items received, so asking more is harmless.
 */
export const ASSETS_PAGE_SIZES = {
  workspaces: 50,
  /** `/objectschema/list`: default 25 (jira.js); maximum unverified. */
  schemas: 100,
  /** `/object/aql`: default 25 (facts sheet §8); maximum unverified. */
  aql: 100,
} as const;

const ASSETS_USER = "an Assets role on the object schema (Object schema users or managers) or the Jira admin 'Assets administrator' role";
const ANY = 'a Jira Service Management licence on the site (any user may list Assets workspaces)';


const Workspace = z.object({ workspaceId: z.string().min(1) });
const Schema = z.object({
  id,
  globalId: str,
  name: z.string(),
  objectSchemaKey: str,
  status: str,
  objectCount: int,
  objectTypeCount: int,
  created: str,
  updated: str,
});
const ObjectType = z.object({
  id,
  globalId: str,
  name: z.string(),
  parentObjectTypeId: id.nullish().transform((v) => v ?? null),
  abstractObjectType: bool,
  inherited: bool,
  objectCount: int,
});
const AssetObject = z.object({ id, globalId: str, objectKey: str, label: str, created: str, updated: str });

type WsKey = { ws: string };
type SchemaKey = WsKey & { schema: string };
type TypeKey = SchemaKey & { type: string; name: string };

/**
 * Assets paged list (`ObjectSchemaList`, `ObjectListInclTypeAttributesEntryResult`): `startAt`/`maxResults`
 * query parameters. End: `isLast: true` (facts sheet §3 "AS"); `last` is its twin in the generated client and
 * is honoured too. `total` is deprecated (since 2024-09-30) and not used. An empty page also ends.
 */
const AsEnd = z.object({ isLast: z.boolean().optional(), last: z.boolean().optional() });
function assetsPaged<T>(o: { path: string; item: z.ZodType<T>; key: (item: T) => string; pageSize: number; query?: Record<string, string | boolean>; method?: 'POST'; body?: unknown }): PageStyle<T> {
  return offset({
    path: o.path,
    item: o.item,
    key: o.key,
    limitField: 'maxResults',
    pageSize: o.pageSize,
    query: o.query,
    method: o.method,
    body: o.body,
    requires: ASSETS_USER,
    startParam: 'startAt',
    limitParam: 'maxResults',
    itemsField: 'values',
    isEnd: (body) => {
      const b = AsEnd.safeParse(body);
      return b.success && (b.data.isLast === true || b.data.last === true);
    },
  });
}

function streamsFor(prefix: string, wanted: ReadonlySet<string>): readonly Stream[] {
  const api = (ws: string): string => `${prefix}/workspace/${encodeURIComponent(ws)}/v1`;

  const objects = defineStream<TypeKey, z.infer<typeof AssetObject>>({
    name: 'objects',
    // POST /object/aql with `includeAttributes=false` (attribute values are not access data and are large).
    // AQL `objectTypeId = <id>` (reserved attribute, Atlassian "Assets Query Language" docs); objects of
    // sub-types are read under their own type when it is named too.
    style: (t) =>
      assetsPaged({
        path: `${api(t.ws)}/object/aql`,
        item: AssetObject,
        key: (o) => o.id,
        pageSize: ASSETS_PAGE_SIZES.aql,
        query: { includeAttributes: false },
        method: 'POST',
        body: { qlQuery: `objectTypeId = ${t.type}` },
      }),
    rows: (o, t) => [
      row(assetsObjects, {
        workspace_id: t.ws,
        schema_id: t.schema,
        object_type_id: t.type,
        object_type_name: t.name,
        object_id: o.id,
        global_id: o.globalId,
        object_key: o.objectKey,
        label: o.label,
        created: o.created,
        updated: o.updated,
      }),
    ],
    notFound: 'skip-parent',
  });

  const types = defineStream<SchemaKey, z.infer<typeof ObjectType>, TypeKey>({
    name: 'object_types',
    // GET /objectschema/{id}/objecttypes/flat: bare array, unpaged. 404 when the schema was deleted since the listing.
    style: (s) =>
      single({ path: `${api(s.ws)}/objectschema/${encodeURIComponent(s.schema)}/objecttypes/flat`, query: { includeObjectCounts: true }, item: ObjectType, requires: ASSETS_USER }),
    rows: (t, s) => [
      row(assetsObjectTypes, {
        workspace_id: s.ws,
        schema_id: s.schema,
        object_type_id: t.id,
        global_id: t.globalId,
        name: t.name,
        parent_object_type_id: t.parentObjectTypeId,
        abstract_object_type: t.abstractObjectType,
        inherited: t.inherited,
        object_count: t.objectCount,
        collected: wanted.has(t.name) || wanted.has(t.id),
      }),
    ],
    childKey: (t, s) => (wanted.has(t.name) || wanted.has(t.id) ? { ...s, type: t.id, name: t.name } : undefined),
    children: [objects],
    notFound: 'skip-parent',
  });

  const schemas = defineStream<WsKey, z.infer<typeof Schema>, SchemaKey>({
    name: 'object_schemas',
    // GET /objectschema/list (includeCounts so objectCount/objectTypeCount are not 0).
    style: (w) => assetsPaged({ path: `${api(w.ws)}/objectschema/list`, item: Schema, key: (s) => s.id, pageSize: ASSETS_PAGE_SIZES.schemas, query: { includeCounts: true } }),
    rows: (s, w) => [
      row(assetsObjectSchemas, {
        workspace_id: w.ws,
        schema_id: s.id,
        global_id: s.globalId,
        name: s.name,
        object_schema_key: s.objectSchemaKey,
        status: s.status,
        object_count: s.objectCount,
        object_type_count: s.objectTypeCount,
        created: s.created,
        updated: s.updated,
      }),
    ],
    childKey: (s, w) => ({ ...w, schema: s.id }),
    children: [types],
  });

  const workspaces = defineStream<null, z.infer<typeof Workspace>, WsKey>({
    name: 'workspaces',
    // JSM paged envelope; the end is `isLastPage` only (quirk Q5). Empty when the site has no Assets.
    style: () =>
      offset({
        path: '/rest/servicedeskapi/assets/workspace',
        item: Workspace,
        key: (w) => w.workspaceId,
        limitField: 'limit',
        pageSize: ASSETS_PAGE_SIZES.workspaces,
        requires: ANY,
        startParam: 'start',
        limitParam: 'limit',
        itemsField: 'values',
        isEnd: (body) => {
          const b = z.object({ isLastPage: z.boolean() }).safeParse(body);
          return b.success && b.data.isLastPage;
        },
      }),
    rows: (w) => [row(assetsWorkspaces, { workspace_id: w.workspaceId })],
    childKey: (w) => ({ ws: w.workspaceId }),
    children: [schemas],
  });

  return [workspaces];
}

/**
 * A classic API token (basic auth) with no `apiBaseUrl`: Atlassian's "Assets REST API guide" authenticates with basic
 * auth, discovers the workspace id on the site (`https://<site>.atlassian.net/rest/servicedeskapi/assets/workspace`)
 * and then calls `https://api.atlassian.com/jsm/assets/workspace/{workspaceId}/v1/...`. Bearer tokens (OAuth 2.0)
 * and scoped tokens go through the gateway `https://api.atlassian.com/ex/jira/{cloudId}` for both.
 */
function classicToken(unit: Pick<Unit, 'auth' | 'apiBaseUrl'>): boolean {
  return unit.auth.kind === 'basic' && unit.apiBaseUrl === undefined;
}

/** The Assets API origin of a classic-token unit (`assets.apiUrl`). */
export function assetsApiOrigin(unit: Pick<Unit, 'assets'>): string {
  return new URL(unit.assets?.apiUrl ?? DEFAULT_ASSETS_API_URL).origin;
}

/** Assets streams for a unit: its `assets.objectTypes`, `assets.pathPrefix` and, for a classic token, `assets.apiUrl`. */
export function assetsStreams(unit: Pick<Unit, 'assets' | 'auth' | 'apiBaseUrl'>): readonly Stream[] {
  const path = (unit.assets?.pathPrefix ?? DEFAULT_ASSETS_PATH_PREFIX).replace(/\/+$/, '');
  return streamsFor(classicToken(unit) ? `${assetsApiOrigin(unit)}${path}` : path, new Set(unit.assets?.objectTypes ?? []));
}

/** The Assets unit options. */
export const assetsOptions = z.object({
  /**
   * Assets: `objectTypes` names the object types (by name or id) whose objects are read with AQL (default
   * none: only schemas and types); `pathPrefix` is where the Assets API sits below the unit's base URL;
   * `apiUrl` is the origin of the Assets API for a classic API token (basic auth on the site URL, Atlassian's
   * "Assets REST API guide"). @default { pathPrefix: '/jsm/assets', apiUrl: 'https://api.atlassian.com' }
   */
  assets: z
    .object({
      objectTypes: z.array(z.string().min(1)).optional(),
      pathPrefix: z.string().regex(/^\/[^\s?#]*$/, 'assets.pathPrefix must be a path such as /jsm/assets').optional(),
      apiUrl: z
        .string()
        .regex(/^https?:\/\/[^\s/?#]+\/?$/, 'assets.apiUrl must be an origin such as https://api.atlassian.com')
        .optional(),
    })
    .strict()
    .optional(),
});

export const assets: ProductModule<'assets', typeof assetsOptions.shape> = {
  product: 'assets',
  title: 'Assets (JSM CMDB)',
  options: assetsOptions,
  credentials: ATLASSIAN_CLOUD_CREDENTIALS,
  tables: assetsTables,
  streams: (unit) => assetsStreams(unit),
  baseUrl: (unit) => (classicToken(unit) ? unit.siteUrl : ASSETS_GATEWAY),
  origins: (unit) => (classicToken(unit) ? [assetsApiOrigin(unit)] : []),
};
