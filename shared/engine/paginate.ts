import { z } from 'zod';
import { PayloadError } from '../errors.ts';
import type { HttpClient, JsonResponse, QueryValue, RequestSpec } from '../http/client.ts';

/** JSON value: what a cursor may hold, so it survives a checkpoint round trip. */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Resume point of a paginated list; `null` is the first page. */
export type Cursor = Json;

/** One page: its items, the cursor it was fetched with, and the cursor of the next page (`null` at the end). */
export interface Page<T> {
  readonly items: T[];
  readonly cursor: Cursor;
  readonly next: Cursor;
  /** Items the key guard dropped from this page because this stream already yielded their key. */
  readonly dropped: number;
  /** Items in the whole list, when the endpoint says (Jira PageBean `total`): progress shows a percentage. */
  readonly total?: number;
}

/** What a style reads out of one response. */
export interface PageRead<T> {
  readonly items: T[];
  /** Cursor of the next page; `null` means the endpoint's real end signal was seen. */
  readonly next: Cursor;
  /**
   * The page came back shorter than the page size asked for, so the next page may overlap it (see
   * {@link paginate}). Styles that cannot tell leave it undefined (no overlap assumed).
   */
  readonly short?: boolean;
  /** Items in the whole list, when the endpoint says (e.g. Jira PageBean `total`); only for progress. */
  readonly total?: number;
}

/** A pagination style bound to one endpoint. */
export interface PageStyle<T> {
  /** Request for the page at `cursor` (null = first). */
  request(cursor: Cursor): RequestSpec;
  /** Items and next cursor out of a response. `next: null` means the endpoint's real end signal was seen. */
  read(res: JsonResponse, cursor: Cursor, endpoint: string): PageRead<T>;
  /**
   * The key of an item (the row's natural key). With a key, the stream never yields one key twice within its
   * overlap window: see {@link paginate}. Required on every offset-paged style.
   */
  readonly key?: (item: T) => string;
  /** The page size asked for: how many trailing keys the guard keeps after a short page. */
  readonly window?: number;
}

/**
 * The guard's state rides in the cursor, so it survives a checkpoint: the style's own cursor and the keys
 * of the rows the next page may repeat. Only present after a short page; a full page clears it.
 */
const GuardedCursor = z.object({ page: z.json(), seenKeys: z.array(z.string()) }).strict();

function unguard(cursor: Cursor): { page: Cursor; seen: string[] } {
  const g = GuardedCursor.safeParse(cursor);
  return g.success ? { page: g.data.page as Cursor, seen: g.data.seenKeys } : { page: cursor, seen: [] };
}

/**
 * The one pagination mechanism: pages of `style` from `start` until the endpoint's end signal.
 * Each yielded page carries `next`, so a consumer can checkpoint after any page and resume there.
 *
 * The key guard: offset APIs that return a page shorter than asked do not say what the next offset counts
 * (Atlassian: a page "may be less" than `maxResults`; Assets, Confluence Data Center CONFSERVER-36578, Jira
 * quirk Q1). Styles therefore never advance past what was received, which cannot skip a row but may read
 * again rows of the previous short page(s) when the server counts positions before filtering. A style with a
 * `key` drops every item whose key this stream yielded within that window (and repeats inside one page).
 * Only the rows a next page can overlap are remembered: after a full page nothing, after short pages the
 * last `window` keys (a later page starts at or after the previous one's start plus what it returned, so
 * the overlap never reaches further back than one requested page size). Memory is bounded by one page.
 */
export async function* paginate<T>(client: HttpClient, style: PageStyle<T>, start: Cursor = null): AsyncGenerator<Page<T>> {
  let cursor = start;
  for (;;) {
    const { page: at, seen } = unguard(cursor);
    const spec = style.request(at);
    const res = await client.json(spec);
    const endpoint = `${spec.method ?? 'GET'} ${client.url(spec).pathname}`;
    const read = style.read(res, at, endpoint);
    let items = read.items;
    let dropped = 0;
    let next: Cursor = read.next;
    if (style.key) {
      const key = style.key;
      const known = new Set(seen);
      items = [];
      const keys: string[] = [];
      for (const item of read.items) {
        const k = key(item);
        keys.push(k);
        if (known.has(k)) {
          dropped++;
          continue;
        }
        known.add(k);
        items.push(item);
      }
      if (next !== null && read.short === true) {
        const keep = [...seen, ...keys].slice(-(style.window ?? keys.length));
        next = { page: next, seenKeys: keep };
      }
    }
    yield { items, cursor, next, dropped, ...(read.total !== undefined ? { total: read.total } : {}) };
    if (next === null) return;
    cursor = next;
  }
}

/** Parse `value` with `schema`, or throw a {@link PayloadError} naming the endpoint and the field. */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown, endpoint: string, where = ''): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '');
  throw new PayloadError(
    `unexpected payload at '${path || '(root)'}': ${issue?.message ?? 'invalid'}. The API answered in a shape the published spec does not describe; ` +
      `report it with this message.`,
    { endpoint },
    { cause: r.error },
  );
}

function itemsOf<T>(item: z.ZodType<T>, raw: unknown[], endpoint: string, field: string): T[] {
  return raw.map((v, i) => parsePayload(item, v, endpoint, `${field}[${i}]`));
}

const offsetCursor = z.object({ startAt: z.int().min(0) });

function startOf(cursor: Cursor, endpoint: string): number {
  if (cursor === null) return 0;
  return parsePayload(offsetCursor, cursor, endpoint, 'cursor').startAt;
}

interface CommonOptions<T> {
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly item: z.ZodType<T>;
  readonly requires?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface KeyedOptions<T> {
  /** The item's natural key: the key guard of {@link paginate} never yields one twice. */
  readonly key: (item: T) => string;
}

const appliedLimit = (body: Record<string, unknown>, field: string | undefined, asked: number): number => {
  const v = field === undefined ? undefined : body[field];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v < asked ? v : asked;
};

/**
 * Offset pagination with an envelope (Jira PageBean J1, JSM, Confluence v1 C1, Assets): `startParam`/
 * `limitParam` in the query, items in `itemsField`, and an endpoint-specific end signal. The next offset
 * advances by the items received, never by the requested size: servers silently cap the page size (facts
 * sheet Q2, Q5), and a page short mid-list may count either positions or returned rows; advancing by what
 * was received cannot skip a row, and the key guard of {@link paginate} drops the rows read again. An empty
 * page always ends the list (Jira narrative: "the client should always assume that the requested page can
 * be empty").
 */
export function offset<T>(
  o: CommonOptions<T> &
    KeyedOptions<T> & {
      readonly pageSize: number;
      readonly startParam: string;
      readonly limitParam: string;
      readonly itemsField: string;
      /** Envelope field holding the page size the server applied (`maxResults`, `limit`), when it says. */
      readonly limitField?: string;
      /** Envelope field holding the number of items in the whole list (`total`), when it says: progress only. */
      readonly totalField?: string;
      /** True when `body` (already known to be an object with an items array) is the last page. */
      readonly isEnd: (body: Record<string, unknown>, received: number, startAt: number) => boolean;
      readonly method?: 'GET' | 'POST';
      readonly body?: unknown;
    },
): PageStyle<T> {
  const envelope = z.object({ [o.itemsField]: z.array(z.unknown()) }).loose();
  return {
    key: o.key,
    window: o.pageSize,
    request: (cursor) => {
      const startAt = startOf(cursor, o.path);
      return {
        path: o.path,
        method: o.method,
        body: o.body,
        query: { ...o.query, [o.startParam]: startAt, [o.limitParam]: o.pageSize },
        requires: o.requires,
        headers: o.headers,
      };
    },
    read: (res, cursor, endpoint) => {
      const startAt = startOf(cursor, endpoint);
      const body = parsePayload(envelope, res.body, endpoint) as Record<string, unknown>;
      const items = itemsOf(o.item, body[o.itemsField] as unknown[], endpoint, o.itemsField);
      const end = items.length === 0 || o.isEnd(body, items.length, startAt);
      const short = items.length < appliedLimit(body, o.limitField, o.pageSize);
      const total = o.totalField ? body[o.totalField] : undefined;
      return { items, next: end ? null : { startAt: startAt + items.length }, short, ...(typeof total === 'number' && Number.isInteger(total) && total >= 0 ? { total } : {}) };
    },
  };
}

const jiraPageBean = z.object({ total: z.int().optional(), isLast: z.boolean().optional() });

/**
 * Jira PageBean (style J1): `startAt`/`maxResults`, envelope `{startAt, maxResults, total, isLast, values}`.
 * End: `isLast: true`, an empty page, or, where `isLast` is not returned, `startAt + values >= total`.
 */
export function pageBean<T>(o: CommonOptions<T> & KeyedOptions<T> & { readonly pageSize: number }): PageStyle<T> {
  return offset({
    ...o,
    startParam: 'startAt',
    limitParam: 'maxResults',
    itemsField: 'values',
    limitField: 'maxResults',
    totalField: 'total',
    isEnd: (body, received, startAt) => {
      const b = jiraPageBean.safeParse(body);
      const { isLast, total } = b.success ? b.data : {};
      return isLast === true || (isLast === undefined && total !== undefined && startAt + received >= total);
    },
  });
}

/**
 * Cursor-token pagination (Admin API v2, style A2): the response's `links.next` is a bare cursor sent back
 * as `cursor` (a query parameter on GET, a body field on POST search); the end is its absence. On GET "if
 * [cursor] present, all other parameters are discarded" (facts sheet Q7), so filters go on the first page.
 */
export function cursorToken<T>(
  o: CommonOptions<T> & {
    readonly pageSize: number;
    readonly method?: 'GET' | 'POST';
    /** POST: the search body; the cursor and limit are added to it. */
    readonly body?: Readonly<Record<string, unknown>>;
    /**
     * POST: later pages send the cursor alone in the body, for endpoints that reject any other property next
     * to a cursor (Admin `POST /v2/orgs/{orgId}/workspaces`). @default false
     */
    readonly cursorAlone?: boolean;
    /** Name of the page-size parameter, in the GET query or the POST body (Jira Data Center `user/list` says `maxResults`). @default 'limit' */
    readonly limitParam?: string;
    /** Name of the cursor parameter, in the GET query or the POST body (Teams API members: `after`). @default 'cursor' */
    readonly cursorParam?: string;
    readonly items: (body: unknown, endpoint: string) => unknown[];
    readonly next: (body: unknown, endpoint: string) => string | undefined;
  },
): PageStyle<T> {
  return {
    request: (cursor) => {
      const c = typeof cursor === 'string' ? cursor : undefined;
      const limit = o.limitParam ?? 'limit';
      const at = o.cursorParam ?? 'cursor';
      if (o.method === 'POST') {
        const body = c && o.cursorAlone ? { [at]: c } : { ...o.body, [limit]: o.pageSize, ...(c ? { [at]: c } : {}) };
        return { path: o.path, method: 'POST', query: o.query, body, requires: o.requires, headers: o.headers };
      }
      return { path: o.path, query: c ? { [at]: c, [limit]: o.pageSize } : { ...o.query, [limit]: o.pageSize }, requires: o.requires, headers: o.headers };
    },
    read: (res, _cursor, endpoint) => ({
      items: itemsOf(o.item, o.items(res.body, endpoint), endpoint, 'data'),
      next: o.next(res.body, endpoint) ?? null,
    }),
  };
}

/**
 * Jira bare array (style J2: `/rest/api/3/users/search`): no envelope and no end flag; the only end signal is
 * an empty array. Pages may be short mid-stream (facts sheet Q1), so the next `startAt` advances by the
 * items received, and the key guard of {@link paginate} drops what a window that overlaps a short page
 * reads again (Q1: "de-duplicate by accountId").
 */
export function bareArray<T>(o: CommonOptions<T> & KeyedOptions<T> & { readonly pageSize: number }): PageStyle<T> {
  const arr = z.array(z.unknown());
  return {
    key: o.key,
    window: o.pageSize,
    request: (cursor) => {
      const startAt = startOf(cursor, o.path);
      return { path: o.path, query: { ...o.query, startAt, maxResults: o.pageSize }, requires: o.requires, headers: o.headers };
    },
    read: (res, cursor, endpoint) => {
      const startAt = startOf(cursor, endpoint);
      const items = itemsOf(o.item, parsePayload(arr, res.body, endpoint), endpoint, '');
      if (items.length === 0) return { items: [], next: null };
      return { items, next: { startAt: startAt + items.length }, short: items.length < o.pageSize };
    },
  };
}

/**
 * Unpaged endpoint (style J3): one request; `select` picks the items out of the body. `method`/`body` for
 * lookups that take their input as a JSON body (Confluence v2 `POST /users-bulk`).
 */
export function single<T>(
  o: CommonOptions<T> & {
    readonly select?: (body: unknown, endpoint: string) => unknown[];
    readonly method?: 'GET' | 'POST';
    readonly body?: unknown;
  },
): PageStyle<T> {
  return {
    request: () => ({ path: o.path, method: o.method, body: o.body, query: o.query, requires: o.requires, headers: o.headers }),
    read: (res, _cursor, endpoint) => {
      const raw = o.select ? o.select(res.body, endpoint) : parsePayload(z.array(z.unknown()), res.body, endpoint);
      return { items: itemsOf(o.item, raw, endpoint, ''), next: null };
    },
  };
}

/**
 * Link-following styles (Bitbucket `next`, Confluence v2 `_links.next`, Admin v1 `links.next`): the next
 * page's URL comes from the response and is opaque; the end is its absence.
 */
export function nextLink<T>(
  o: CommonOptions<T> & {
    /** Page-size parameter of the first request; omit both for endpoints whose page size the server sets (Admin v1). */
    readonly pageSizeParam?: string;
    readonly pageSize?: number;
    /** Name of the items field in payload errors. @default 'values' */
    readonly itemsField?: string;
    readonly items: (body: unknown, endpoint: string) => unknown[];
    readonly next: (res: JsonResponse, endpoint: string) => string | undefined;
    /**
     * The item's natural key, for links whose target may overlap a short page (Confluence Data Center:
     * `next` is `start + limit` over positions before permission filtering, CONFSERVER-95396/36578): the
     * key guard of {@link paginate} is then the second line against a repeated row.
     */
    readonly key?: (item: T) => string;
  },
): PageStyle<T> {
  const size = o.pageSizeParam !== undefined && o.pageSize !== undefined ? { [o.pageSizeParam]: o.pageSize } : {};
  const pageSize = o.pageSize;
  return {
    ...(o.key ? { key: o.key, ...(pageSize !== undefined ? { window: pageSize } : {}) } : {}),
    request: (cursor) =>
      typeof cursor === 'string'
        ? { path: cursor, requires: o.requires, headers: o.headers }
        : { path: o.path, query: { ...o.query, ...size }, requires: o.requires, headers: o.headers },
    read: (res, _cursor, endpoint) => {
      const items = itemsOf(o.item, o.items(res.body, endpoint), endpoint, o.itemsField ?? 'values');
      return { items, next: o.next(res, endpoint) ?? null, ...(pageSize !== undefined ? { short: items.length < pageSize } : {}) };
    },
  };
}
