// Jira's answers and pages (style J1 PageBean, facts sheet §3), shared by the Jira routes and the add-on listings
// (issue security): a module of its own so the add-ons need not import the route table that lists them.
import { errorBody, type RouteContext, type RouteResult } from '../server.ts';
import { intParam, isResult } from '../params.ts';

type Json = Record<string, unknown>;

export { isResult };

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const fail = (status: number, ...messages: string[]): RouteResult => ({ status, body: errorBody(...messages) });

export interface Paging {
  startAt: number;
  maxResults: number;
}

/**
 * startAt/maxResults with the endpoint's cap. Quirk Q2 (facts sheet §10; narrative "Pagination"):
 * a maxResults above the cap is silently lowered and the response's maxResults shows the cap.
 */
export function paging(ctx: RouteContext, cap: number): Paging | RouteResult {
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = intParam(ctx.query, 'maxResults', 50);
  if (startAt === null) return fail(400, "The value of 'startAt' must be a non-negative integer.");
  if (maxResults === null) return fail(400, "The value of 'maxResults' must be a non-negative integer.");
  return { startAt, maxResults: Math.min(maxResults, cap) };
}

/**
 * Jira PageBean (style J1, facts sheet §3): `{self, nextPage?, maxResults, startAt, total, isLast,
 * values}`. A 'shortPage' fault returns a prefix with isLast false, maxResults unchanged, and
 * nextPage continuing right after the last item returned.
 */
export function pageBean<T>(ctx: RouteContext, all: ArrayLike<T>, pg: Paging, map: (item: T) => Json): RouteResult {
  const total = all.length;
  const slice: T[] = [];
  for (let i = pg.startAt; i < Math.min(total, pg.startAt + pg.maxResults); i++) slice.push(all[i] as T);
  const { items, short } = ctx.page(slice);
  const next = pg.startAt + items.length;
  const isLast = !short && next >= total;
  const self = `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}`;
  const body: Json = { self };
  if (!isLast) {
    const q = new URLSearchParams(ctx.query);
    q.set('startAt', String(next));
    body.nextPage = `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
  }
  Object.assign(body, { maxResults: pg.maxResults, startAt: pg.startAt, total, isLast, values: items.map(map) });
  return ok(body);
}
