import { expect } from 'vitest';
import type { Json } from '../../shared/engine/paginate.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import type { AnyTable } from '../../shared/schema/table.ts';

/** The stream called `name` anywhere in a product's stream tree (children included); throws when there is none. */
export function findStream(roots: readonly Stream[], name: string): Stream {
  const walk = (list: readonly Stream[]): Stream | undefined => {
    for (const s of list) {
      const found = s.name === name ? s : walk(s.children);
      if (found) return found;
    }
    return undefined;
  };
  const s = walk(roots);
  if (!s) throw new Error(`no stream ${name}`);
  return s;
}

export interface PageOptions {
  parent?: unknown;
  cursor?: unknown;
  headers?: Record<string, string>;
  /** Every row must pass its table's schema (with this `site` as the base column), as the sink checks it. */
  check?: { tables: readonly AnyTable[]; site: string };
}

/**
 * Read one 200 response body through a stream's page style and row mapping, as the engine does: the items, the
 * next cursor, the rows (each with its table's name under `table`) and the child keys.
 */
export function readPage(s: Stream, body: unknown, opts: PageOptions = {}) {
  const parent = (opts.parent ?? null) as Json;
  const style = s.style(parent);
  const { items, next } = style.read({ status: 200, body, headers: opts.headers ?? {} }, (opts.cursor ?? null) as Json, 'GET /test');
  const rows = items
    .flatMap((i) => s.rows(i, parent))
    .map((r): Record<string, unknown> => {
      if (opts.check) {
        const table = opts.check.tables.find((t) => t.name === r.table.name);
        expect(table?.schema.safeParse({ ...r.row, site: opts.check.site, collected_at: '2026-11-28T00:00:00.000Z' }).success, JSON.stringify(r.row)).toBe(true);
      }
      return { table: r.table.name, ...r.row };
    });
  return { items, next, rows, keys: items.map((i) => s.childKey(i, parent)), style, stream: s };
}
