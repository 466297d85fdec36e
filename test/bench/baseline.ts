/**
 * The baseline client: the same engine and the same product module, paging the way typical open-source
 * connectors do: 50 rows a page, one request at a time. Only the page-size parameter of each request is
 * lowered (to at most 50); the module's pagination reads the smaller pages exactly as it reads pages a server
 * capped, so there is no second pagination loop.
 */
import type { ProductModule } from '../../shared/engine/collect.ts';
import type { PageStyle } from '../../shared/engine/paginate.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import type { QueryValue, RequestSpec } from '../../shared/http/client.ts';

export const BASELINE_PAGE_SIZE = 50;
export const BASELINE_CONCURRENCY = 1;

/** Page-size parameters of the Atlassian APIs (Jira `maxResults`, Confluence/Admin `limit`, Bitbucket `pagelen`). */
const SIZE_PARAMS = ['maxResults', 'limit', 'pagelen'];

function capQuery(q: Readonly<Record<string, QueryValue>> | undefined, size: number): Readonly<Record<string, QueryValue>> | undefined {
  if (!q) return q;
  const out: Record<string, QueryValue> = { ...q };
  for (const k of SIZE_PARAMS) {
    const v = out[k];
    if (typeof v === 'number' && v > size) out[k] = size;
  }
  return out;
}

function capPath(path: string, size: number): string {
  // A next link the server built (Bitbucket, Confluence v2) carries the size of the first request already.
  return path.replace(/([?&](?:maxResults|limit|pagelen)=)(\d+)/g, (m, p: string, n: string) => (Number(n) > size ? `${p}${size}` : m));
}

function capBody(body: unknown, size: number): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  return typeof b.limit === 'number' && b.limit > size ? { ...b, limit: size } : body;
}

/**
 * Unpaged endpoints whose size parameter is a result limit, not a page size: a connector must ask for all of
 * them (Jira Data Center `groups/picker`: one request, `maxResults` caps the answer).
 */
const UNPAGED = [/\/groups\/picker$/];

export function capRequest(spec: RequestSpec, size: number): RequestSpec {
  if (UNPAGED.some((re) => re.test(spec.path))) return spec;
  return { ...spec, path: capPath(spec.path, size), query: capQuery(spec.query, size), body: capBody(spec.body, size) };
}

function capStyle<T>(style: PageStyle<T>, size: number): PageStyle<T> {
  return { request: (cursor) => capRequest(style.request(cursor), size), read: (res, cursor, endpoint) => style.read(res, cursor, endpoint) };
}

function capStream(s: Stream, size: number): Stream {
  return { ...s, style: (parent) => capStyle(s.style(parent), size), children: s.children.map((c) => capStream(c, size)) };
}

/** The module as the baseline runs it: every request asks at most `size` rows. */
export function baselineModule(m: ProductModule, size = BASELINE_PAGE_SIZE): ProductModule {
  return { ...m, streams: (unit) => m.streams(unit).map((s) => capStream(s, size)) };
}
