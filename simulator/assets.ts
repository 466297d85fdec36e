/**
 * Simulated Assets (JSM CMDB) tenant. No Assets spec file exists (facts sheet §11); the shapes follow the
 * facts sheet §3 "AS" and §8 and the generated client documented at https://mrrefactoring.github.io/jira.js
 * (assets.findSchemas, assets.findSchemaObjectTypesFlat, assets.findObjectsByAql). Served on the site and
 * through the `/ex/jira/{cloudId}` gateway: the JSM workspace lookup `/rest/servicedeskapi/assets/workspace`
 * (jira-service-management.json) and the Assets API under `/jsm/assets/workspace/{workspaceId}/v1`.
 */
import { bindRoutes, errorBody, type ProductSim, type RouteContext, type RouteResult, type RouteTable } from './server.ts';
import { intParam } from './params.ts';
import { jsmErrorBody } from './jsm.ts';
import { Rng, uuidFrom } from './random.ts';
import { pager, type ShortPagesOption } from './paging.ts';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Server caps (unpublished, facts sheet §11; assumed): `maxResults` above them is lowered. */
export interface AssetsPageCaps {
  workspaces: number;
  schemas: number;
  aql: number;
}
export const DEFAULT_ASSETS_PAGE_CAPS: Readonly<AssetsPageCaps> = { workspaces: 50, schemas: 25, aql: 50 };

export interface AssetsTenantOptions {
  seed?: number;
  /** Workspaces (0: the site has no Assets). @default 1 */
  workspaces?: number;
  /** Object schemas per workspace. @default 3 */
  schemas?: number;
  /** Object types per schema. @default 5 */
  typesPerSchema?: number;
  /** Objects per object type, at most (type 0 of each schema is empty, type 1 gets this many). @default 120 */
  objectsPerType?: number;
  /** Schemas listed but gone (404) when their object types are read. @default 0 */
  vanishingSchemas?: number;
  caps?: Partial<AssetsPageCaps>;
  /**
   * Short pages mid-list in one of the two readings of `startAt` ({@link ShortPagesOption}) on the paged lists
   * (workspaces, object schemas, AQL objects). Default: none (every page is full but the last).
   */
  shortPages?: ShortPagesOption;
}

export interface AssetsObjectRecord {
  id: string;
  globalId: string;
  objectKey: string;
  label: string;
  created: string;
  updated: string;
}
export interface AssetsTypeRecord {
  id: string;
  globalId: string;
  name: string;
  parentId: string | null;
  abstract: boolean;
  inherited: boolean;
  objects: AssetsObjectRecord[];
}
export interface AssetsSchemaRecord {
  id: string;
  globalId: string;
  name: string;
  key: string;
  created: string;
  updated: string;
  types: AssetsTypeRecord[];
  vanishing: boolean;
}
export interface AssetsWorkspaceRecord {
  id: string;
  schemas: AssetsSchemaRecord[];
}
export interface AssetsModel {
  seed: number;
  workspaces: AssetsWorkspaceRecord[];
  caps: AssetsPageCaps;
  /** How the paged lists page (simulator/paging.ts); undefined: full pages. */
  shortPages: ShortPagesOption | undefined;
}

export interface AssetsSim extends ProductSim {
  model: AssetsModel;
  /** Rows a collector configured with `objectTypes` writes, without site/collected_at/deployment. */
  groundTruth(objectTypes?: readonly string[]): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the caps. */
  minimumRequests(objectTypes?: readonly string[]): number;
}

const SCHEMAS = ['IT Assets', 'People', 'Facilities', 'Services', 'Cloud Inventory'];
const TYPES = ['Laptops', 'Servers', 'Software Licences', 'Employees', 'Buildings', 'Applications', 'Mobile Phones', 'Réseaux', 'サーバー'];
const LABELS = ['MacBook Pro', 'ThinkPad X1', 'Dell R750', 'Zoë’s iPhone 🚀', '山田のPC', 'Łódź office', 'db-prod-01', 'Jira Cloud'];

function count(v: number | undefined, def: number): number {
  return v === undefined ? def : Math.max(0, Math.floor(v));
}

function generate(opts: AssetsTenantOptions): AssetsModel {
  const seed = opts.seed ?? 1;
  const rng = new Rng(`assets-${seed}`);
  const nWs = count(opts.workspaces, 1);
  const nSchemas = count(opts.schemas, 3);
  const nTypes = Math.max(1, count(opts.typesPerSchema, 5));
  const maxObjects = count(opts.objectsPerType, 120);
  const vanish = Math.min(count(opts.vanishingSchemas, 0), nSchemas);
  let nextId = 1;
  const workspaces: AssetsWorkspaceRecord[] = [];
  for (let w = 0; w < nWs; w++) {
    const schemas: AssetsSchemaRecord[] = [];
    for (let s = 0; s < nSchemas; s++) {
      const key = `S${w}${String.fromCharCode(65 + (s % 26))}${s >= 26 ? s : ''}`;
      const schemaId = String(nextId++);
      const types: AssetsTypeRecord[] = [];
      for (let t = 0; t < nTypes; t++) {
        const typeId = String(nextId++);
        const size = t === 0 ? 0 : t === 1 ? maxObjects : rng.int(Math.floor(maxObjects / 2) + 1);
        const objects: AssetsObjectRecord[] = [];
        for (let o = 0; o < size; o++) {
          const oid = String(nextId++);
          objects.push({
            id: oid,
            globalId: `${uuidFrom(seed, 'ws', w)}:${oid}`,
            objectKey: `${key}-${oid}`,
            label: `${rng.pick(LABELS)} #${o}`,
            created: new Date(Date.UTC(2025, o % 12, 1 + (o % 28))).toISOString(),
            updated: new Date(Date.UTC(2026, o % 10, 1 + (o % 27))).toISOString(),
          });
        }
        types.push({
          id: typeId,
          globalId: `${uuidFrom(seed, 'ws', w)}:type:${typeId}`,
          name: `${TYPES[(s + t) % TYPES.length] ?? 'Type'}${t >= TYPES.length ? ` ${t}` : ''}`,
          // Type 0 is an abstract parent of types 2.. (inheritance).
          parentId: t >= 2 ? types[0]?.id ?? null : null,
          abstract: t === 0,
          inherited: t >= 2,
          objects,
        });
      }
      schemas.push({
        id: schemaId,
        globalId: `${uuidFrom(seed, 'ws', w)}:schema:${schemaId}`,
        name: `${SCHEMAS[s % SCHEMAS.length] ?? 'Schema'}${s >= SCHEMAS.length ? ` ${s}` : ''}`,
        key,
        created: '2024-05-01T10:00:00.000Z',
        updated: '2026-10-01T10:00:00.000Z',
        types,
        vanishing: s >= nSchemas - vanish,
      });
    }
    workspaces.push({ id: uuidFrom(seed, 'workspace', w), schemas });
  }
  return { seed, workspaces, caps: { ...DEFAULT_ASSETS_PAGE_CAPS, ...opts.caps }, shortPages: opts.shortPages };
}

const ok = (body: Json): RouteResult => ({ status: 200, body });
const fail = (status: number, message: string): RouteResult => ({ status, body: errorBody(message) });

/**
 * Assets page (`ObjectSchemaList` / `ObjectListInclTypeAttributesEntryResult`): `maxResults` shows the
 * lowered value; `isLast` and its twin `last`; `total` still sent (deprecated, the visible rows). Short pages
 * (the tenant's `shortPages` reading or a 'shortPage' fault) keep `isLast: false` while rows remain.
 */
function assetsPage<T>(ctx: RouteContext, model: AssetsModel, list: string, all: readonly T[], cap: number, def: number, map: (t: T) => Json, extra: { [k: string]: Json } = {}): RouteResult {
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = intParam(ctx.query, 'maxResults', def);
  if (startAt === null || maxResults === null) return fail(400, 'startAt and maxResults must be non-negative integers.');
  const size = Math.min(maxResults, cap);
  const { items, more } = pager(model.seed, model.shortPages).page(ctx, list, all, startAt, size);
  const isLast = !more;
  return ok({ startAt, maxResults: size, total: all.length, values: items.map(map), ...extra, isLast, last: isLast });
}

function findWs(model: AssetsModel, ctx: RouteContext): AssetsWorkspaceRecord | undefined {
  return model.workspaces.find((w) => w.id === ctx.params.workspaceId);
}

const prefix = '/jsm/assets/workspace/{workspaceId}/v1';

function typeJson(ws: AssetsWorkspaceRecord, s: AssetsSchemaRecord, t: AssetsTypeRecord, counts: boolean): Json {
  const out: { [k: string]: Json } = {
    workspaceId: ws.id,
    globalId: t.globalId,
    id: t.id,
    name: t.name,
    type: 0,
    icon: { id: '1', name: 'Laptop', url16: 'https://example.invalid/16.png', url48: 'https://example.invalid/48.png' },
    position: 0,
    created: '2024-05-01T10:00:00.000Z',
    updated: '2026-10-01T10:00:00.000Z',
    objectCount: counts ? t.objects.length : 0,
    objectSchemaId: s.id,
    inherited: t.inherited,
    abstractObjectType: t.abstract,
    parentObjectTypeInherited: t.inherited,
  };
  if (t.parentId !== null) out.parentObjectTypeId = Number(t.parentId);
  return out;
}

// Handlers: each reads the tenant's model from its first argument.

function assetsWorkspaces(model: AssetsModel, ctx: RouteContext): RouteResult {
  const { workspaces, caps } = model;
  const start = intParam(ctx.query, 'start', 0);
  const limit = intParam(ctx.query, 'limit', 50);
  if (start === null || limit === null) return fail(400, 'start and limit must be non-negative integers.');
  const { items, more } = pager(model.seed, model.shortPages).page(ctx, 'workspaces', workspaces, start, Math.min(limit, caps.workspaces));
  const isLastPage = !more;
  return ok({ size: items.length, start, limit, isLastPage, _links: { base: ctx.baseUrl, context: '', self: `${ctx.baseUrl}${ctx.path}` }, values: items.map((w) => ({ workspaceId: w.id })) });
}

function objectSchemas(model: AssetsModel, ctx: RouteContext): RouteResult {
  const { caps } = model;
  const ws = findWs(model, ctx);
  if (!ws) return fail(404, 'Workspace not found.');
  const counts = ctx.query.get('includeCounts') === 'true';
  return assetsPage(ctx, model, `schemas:${ws.id}`, ws.schemas, caps.schemas, 25, (s) => ({
    workspaceId: ws.id,
    globalId: s.globalId,
    id: s.id,
    name: s.name,
    objectSchemaKey: s.key,
    status: 'Ok',
    created: s.created,
    updated: s.updated,
    objectCount: counts ? s.types.reduce((n, t) => n + t.objects.length, 0) : 0,
    objectTypeCount: counts ? s.types.length : 0,
    canManage: true,
  }));
}

function objectTypesFlat(model: AssetsModel, ctx: RouteContext): RouteResult {
  const ws = findWs(model, ctx);
  const s = ws?.schemas.find((x) => x.id === ctx.params.id && !x.vanishing);
  if (!ws || !s) return fail(404, `Object schema with id ${ctx.params.id ?? ''} not found.`);
  const counts = ctx.query.get('includeObjectCounts') === 'true';
  return ok(s.types.map((t) => typeJson(ws, s, t, counts)));
}

function objectsByAql(model: AssetsModel, ctx: RouteContext): RouteResult {
  const { caps } = model;
  const ws = findWs(model, ctx);
  if (!ws) return fail(404, 'Workspace not found.');
  let ql = '';
  try {
    const b = JSON.parse(ctx.body || '{}') as { qlQuery?: unknown };
    ql = typeof b.qlQuery === 'string' ? b.qlQuery : '';
  } catch {
    return fail(400, 'Request body is not valid JSON.');
  }
  const m = /^\s*objectTypeId\s*=\s*(\d+)\s*$/.exec(ql);
  if (!m) return fail(400, `AQL not understood by the simulator: ${ql}`);
  let found: { s: AssetsSchemaRecord; t: AssetsTypeRecord } | undefined;
  for (const s of ws.schemas) for (const t of s.types) if (t.id === m[1] && !s.vanishing) found = { s, t };
  if (!found) return fail(400, `ObjectType with id ${m[1] ?? ''} was not found.`);
  const { s, t } = found;
  const attrs = ctx.query.get('includeAttributes') !== 'false';
  const typeRef = typeJson(ws, s, t, false);
  return assetsPage(
    ctx,
    model,
    `objects:${ws.id}:${t.id}`,
    t.objects,
    caps.aql,
    25,
    (o) => {
      const out: { [k: string]: Json } = { workspaceId: ws.id, globalId: o.globalId, id: o.id, label: o.label, objectKey: o.objectKey, objectType: typeRef, created: o.created, updated: o.updated, hasAvatar: false, timestamp: Date.parse(o.updated), _links: { self: `${ctx.baseUrl}/jsm/assets/workspace/${ws.id}/v1/object/${o.id}` } };
      if (attrs) out.attributes = [{ workspaceId: ws.id, globalId: `${o.globalId}:a1`, id: `${o.id}1`, objectTypeAttributeId: '1', objectAttributeValues: [{ value: o.label, displayValue: o.label }], objectId: o.id }];
      return out;
    },
    { objectTypeAttributes: [] },
  );
}

/** The route table: the JSM workspace lookup and the Assets REST API (operations named at each entry). */
export const ASSETS_ROUTES: RouteTable<AssetsModel> = [
  // jira-service-management.json `~1rest~1servicedeskapi~1assets~1workspace/get`: JSM envelope; "Permissions required: Any".
  { method: 'GET', path: '/rest/servicedeskapi/assets/workspace', paged: true, handle: assetsWorkspaces },
  // GET /objectschema/list (jira.js assets.findSchemas): startAt, maxResults, includeCounts.
  { method: 'GET', path: `${prefix}/objectschema/list`, paged: true, denyLimited: { status: 403, message: 'You do not have permission to view object schemas in Assets.' }, handle: objectSchemas },
  // GET /objectschema/{id}/objecttypes/flat (jira.js assets.findSchemaObjectTypesFlat): bare array.
  { method: 'GET', path: `${prefix}/objectschema/{id}/objecttypes/flat`, denyLimited: { status: 403, message: 'You do not have permission to view object types in Assets.' }, handle: objectTypesFlat },
  // POST /object/aql (facts sheet §3 "AS", §8): query startAt, maxResults (default 25), includeAttributes
  // (default true); body {qlQuery}. The simulator understands `objectTypeId = <n>` only.
  { method: 'POST', path: `${prefix}/object/aql`, paged: true, denyLimited: { status: 403, message: 'You do not have permission to search objects in Assets.' }, handle: objectsByAql },
];

export function assetsTenant(opts: AssetsTenantOptions = {}): AssetsSim {
  const model = generate(opts);

  return {
    name: 'assets',
    gateway: 'jira',
    // Basic API token on the site paths; Bearer (OAuth 2.0) through the gateway (facts sheet §2).
    routes: bindRoutes(ASSETS_ROUTES, model),
    // The workspace lookup is a JSM operation: its errors are JSM's ErrorResponse (The Jira Service Management Cloud
    // REST API, GET /rest/servicedeskapi/assets/workspace), not Jira's ErrorCollection.
    errorBody: (_status, message, path) => (path.startsWith('/rest/servicedeskapi/') ? jsmErrorBody(message) : errorBody(message)),
    model,
    groundTruth: (objectTypes = []) => groundTruth(model, objectTypes),
    minimumRequests: (objectTypes = []) => minimumRequests(model, objectTypes),
  };
}

const wantedOf = (objectTypes: readonly string[]) => {
  const set = new Set(objectTypes);
  return (t: AssetsTypeRecord): boolean => set.has(t.name) || set.has(t.id);
};

export function groundTruth(model: AssetsModel, objectTypes: readonly string[] = []): Record<string, Record<string, unknown>[]> {
  const wanted = wantedOf(objectTypes);
  const out: Record<string, Record<string, unknown>[]> = { assets_workspaces: [], assets_object_schemas: [], assets_object_types: [], assets_objects: [] };
  for (const ws of model.workspaces) {
    out.assets_workspaces?.push({ workspace_id: ws.id });
    for (const s of ws.schemas) {
      out.assets_object_schemas?.push({
        workspace_id: ws.id,
        schema_id: s.id,
        global_id: s.globalId,
        name: s.name,
        object_schema_key: s.key,
        status: 'Ok',
        object_count: s.types.reduce((n, t) => n + t.objects.length, 0),
        object_type_count: s.types.length,
        created: s.created,
        updated: s.updated,
      });
      if (s.vanishing) continue;
      for (const t of s.types) {
        out.assets_object_types?.push({
          workspace_id: ws.id,
          schema_id: s.id,
          object_type_id: t.id,
          global_id: t.globalId,
          name: t.name,
          parent_object_type_id: t.parentId,
          abstract_object_type: t.abstract,
          inherited: t.inherited,
          object_count: t.objects.length,
          collected: wanted(t),
        });
        if (!wanted(t)) continue;
        for (const o of t.objects) {
          out.assets_objects?.push({ workspace_id: ws.id, schema_id: s.id, object_type_id: t.id, object_type_name: t.name, object_id: o.id, global_id: o.globalId, object_key: o.objectKey, label: o.label, created: o.created, updated: o.updated });
        }
      }
    }
  }
  return out;
}

/**
 * Workspace pages; per workspace its schema pages; per live schema one type list (a vanished one: one 404); per
 * collected type its AQL pages. Pages as a client following the server's own next start needs them: without
 * `shortPages`, max(1, ceil(rows / cap)).
 */
export function minimumRequests(model: AssetsModel, objectTypes: readonly string[] = []): number {
  const wanted = wantedOf(objectTypes);
  const { caps } = model;
  const p = pager(model.seed, model.shortPages);
  let n = p.pages('workspaces', model.workspaces.length, caps.workspaces);
  for (const ws of model.workspaces) {
    n += p.pages(`schemas:${ws.id}`, ws.schemas.length, caps.schemas);
    for (const s of ws.schemas) {
      n += 1;
      if (s.vanishing) continue;
      for (const t of s.types) if (wanted(t)) n += p.pages(`objects:${ws.id}:${t.id}`, t.objects.length, caps.aql);
    }
  }
  return n;
}
