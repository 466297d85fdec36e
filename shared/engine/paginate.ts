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
}

/** A pagination style bound to one endpoint. */
export interface PageStyle<T> {
  /** Request for the page at `cursor` (null = first). */
  request(cursor: Cursor): RequestSpec;
  /** Items and next cursor out of a response. `next: null` means the endpoint's real end signal was seen. */
  read(res: JsonResponse, cursor: Cursor, endpoint: string): { items: T[]; next: Cursor };
}

/**
 * The one pagination mechanism: pages of `style` from `start` until the endpoint's end signal.
 * Each yielded page carries `next`, so a consumer can checkpoint after any page and resume there.
 */
export async function* paginate<T>(client: HttpClient, style: PageStyle<T>, start: Cursor = null): AsyncGenerator<Page<T>> {
  let cursor = start;
  for (;;) {
    const spec = style.request(cursor);
    const res = await client.json(spec);
    const endpoint = `${spec.method ?? 'GET'} ${client.url(spec).pathname}`;
    const { items, next } = style.read(res, cursor, endpoint);
    yield { items, cursor, next };
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

const offsetCursor = z.object({ startAt: z.int().min(0), recent: z.array(z.string()).optional() });

function startOf(cursor: Cursor, endpoint: string): { startAt: number; recent: string[] } {
  if (cursor === null) return { startAt: 0, recent: [] };
  const c = parsePayload(offsetCursor, cursor, endpoint, 'cursor');
  return { startAt: c.startAt, recent: c.recent ?? [] };
}

interface CommonOptions<T> {
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly item: z.ZodType<T>;
  readonly requires?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Jira PageBean (style J1): `startAt`/`maxResults`, envelope `{startAt, maxResults, total, isLast, values}`.
 * End: `isLast: true`; an empty page (Jira narrative: "the client should always assume that the requested
 * page can be empty"); or, where `isLast` is not returned, `startAt + values >= total`.
 * The next `startAt` advances by the items received, not the requested size, because Jira silently caps
 * `maxResults` (facts sheet Q2).
 */
export function pageBean<T>(o: CommonOptions<T> & { readonly pageSize: number }): PageStyle<T> {
  const envelope = z.object({
    startAt: z.int().optional(),
    total: z.int().optional(),
    isLast: z.boolean().optional(),
    values: z.array(z.unknown()),
  });
  return {
    request: (cursor) => {
      const { startAt } = startOf(cursor, o.path);
      return { path: o.path, query: { ...o.query, startAt, maxResults: o.pageSize }, requires: o.requires, headers: o.headers };
    },
    read: (res, cursor, endpoint) => {
      const { startAt } = startOf(cursor, endpoint);
      const body = parsePayload(envelope, res.body, endpoint);
      const items = itemsOf(o.item, body.values, endpoint, 'values');
      const end =
        body.isLast === true ||
        items.length === 0 ||
        (body.isLast === undefined && body.total !== undefined && startAt + items.length >= body.total);
      return { items, next: end ? null : { startAt: startAt + items.length } };
    },
  };
}

/**
 * Jira bare array (style J2: `/rest/api/3/users/search`): no envelope and no end flag; the only end signal is
 * an empty array. Pages may be short mid-stream (facts sheet Q1), so the next `startAt` advances by the
 * items received. If the server windows by position and filters afterwards, that re-reads part of the
 * previous window: the last `pageSize` ids are kept in the cursor (only after a short page) and
 * repeated items are dropped.
 */
export function bareArray<T>(o: CommonOptions<T> & { readonly pageSize: number; readonly idOf: (item: T) => string }): PageStyle<T> {
  const arr = z.array(z.unknown());
  return {
    request: (cursor) => {
      const { startAt } = startOf(cursor, o.path);
      return { path: o.path, query: { ...o.query, startAt, maxResults: o.pageSize }, requires: o.requires, headers: o.headers };
    },
    read: (res, cursor, endpoint) => {
      const { startAt, recent } = startOf(cursor, endpoint);
      const raw = itemsOf(o.item, parsePayload(arr, res.body, endpoint), endpoint, '');
      if (raw.length === 0) return { items: [], next: null };
      const seen = new Set(recent);
      const items = raw.filter((it) => !seen.has(o.idOf(it)));
      const next: { startAt: number; recent?: string[] } = { startAt: startAt + raw.length };
      if (raw.length < o.pageSize) next.recent = [...recent, ...raw.map(o.idOf)].slice(-o.pageSize);
      return { items, next };
    },
  };
}

/** Unpaged endpoint (style J3): one request; `select` picks the items out of the body. */
export function single<T>(o: CommonOptions<T> & { readonly select?: (body: unknown, endpoint: string) => unknown[] }): PageStyle<T> {
  return {
    request: () => ({ path: o.path, query: o.query, requires: o.requires, headers: o.headers }),
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
    readonly pageSizeParam: string;
    readonly pageSize: number;
    readonly items: (body: unknown, endpoint: string) => unknown[];
    readonly next: (res: JsonResponse, endpoint: string) => string | undefined;
  },
): PageStyle<T> {
  return {
    request: (cursor) =>
      typeof cursor === 'string'
        ? { path: cursor, requires: o.requires, headers: o.headers }
        : { path: o.path, query: { ...o.query, [o.pageSizeParam]: o.pageSize }, requires: o.requires, headers: o.headers },
    read: (res, _cursor, endpoint) => ({
      items: itemsOf(o.item, o.items(res.body, endpoint), endpoint, 'values'),
      next: o.next(res, endpoint) ?? null,
    }),
  };
}
