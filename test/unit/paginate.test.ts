import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bareArray, nextLink, pageBean, paginate, single, type Json, type Page } from '../../shared/engine/paginate.ts';
import { PayloadError } from '../../shared/errors.ts';
import { mockClient } from '../support/mock-http.ts';

const Item = z.object({ id: z.string() });
const ids = (pages: Page<{ id: string }>[]) => pages.flatMap((p) => p.items.map((i) => i.id));

async function all<T>(it: AsyncIterable<Page<T>>): Promise<Page<T>[]> {
  const out: Page<T>[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('pageBean (Jira startAt/maxResults/isLast)', () => {
  it('asks the maximum page size and stops on isLast', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/x?startAt=0&maxResults=50' }).reply(200, { startAt: 0, maxResults: 50, isLast: false, values: [{ id: 'a' }, { id: 'b' }] });
    pool.intercept({ path: '/x?startAt=2&maxResults=50' }).reply(200, { startAt: 2, maxResults: 50, isLast: true, values: [{ id: 'c' }] });
    const pages = await all(paginate(client, pageBean({ path: '/x', pageSize: 50, item: Item, key: (i) => i.id })));
    expect(ids(pages)).toEqual(['a', 'b', 'c']);
    // The first page came back short (2 of 50): the next cursor carries its keys for the key guard.
    expect(pages.map((p) => p.next)).toEqual([{ page: { startAt: 2 }, seenKeys: ['a', 'b'] }, null]);
  });

  it('advances by items received when the server caps maxResults (Q2)', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/x?startAt=0&maxResults=100' }).reply(200, { startAt: 0, maxResults: 1, isLast: false, values: [{ id: 'a' }] });
    pool.intercept({ path: '/x?startAt=1&maxResults=100' }).reply(200, { startAt: 1, maxResults: 1, isLast: true, values: [{ id: 'b' }] });
    expect(ids(await all(paginate(client, pageBean({ path: '/x', pageSize: 100, item: Item, key: (i) => i.id }))))).toEqual(['a', 'b']);
  });

  it('stops on an empty page even if isLast was false (Q3)', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/x?startAt=0&maxResults=2' }).reply(200, { startAt: 0, isLast: false, total: 9, values: [{ id: 'a' }, { id: 'b' }] });
    pool.intercept({ path: '/x?startAt=2&maxResults=2' }).reply(200, { startAt: 2, isLast: false, total: 9, values: [] });
    expect(ids(await all(paginate(client, pageBean({ path: '/x', pageSize: 2, item: Item, key: (i) => i.id }))))).toEqual(['a', 'b']);
  });

  it('uses total when isLast is not returned', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/x?startAt=0&maxResults=2' }).reply(200, { startAt: 0, total: 3, values: [{ id: 'a' }, { id: 'b' }] });
    pool.intercept({ path: '/x?startAt=2&maxResults=2' }).reply(200, { startAt: 2, total: 3, values: [{ id: 'c' }] });
    expect(ids(await all(paginate(client, pageBean({ path: '/x', pageSize: 2, item: Item, key: (i) => i.id }))))).toEqual(['a', 'b', 'c']);
  });

  it('does not stop on a short page that is not the last', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/x?startAt=0&maxResults=3' }).reply(200, { isLast: false, values: [{ id: 'a' }] });
    pool.intercept({ path: '/x?startAt=1&maxResults=3' }).reply(200, { isLast: true, values: [{ id: 'b' }, { id: 'c' }] });
    expect(ids(await all(paginate(client, pageBean({ path: '/x', pageSize: 3, item: Item, key: (i) => i.id }))))).toEqual(['a', 'b', 'c']);
  });

  it('resumes from a cursor', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/x?startAt=7&maxResults=2' }).reply(200, { isLast: true, values: [{ id: 'h' }] });
    expect(ids(await all(paginate(client, pageBean({ path: '/x', pageSize: 2, item: Item, key: (i) => i.id }), { startAt: 7 })))).toEqual(['h']);
  });
});

describe('bareArray (Jira users/search)', () => {
  const style = bareArray({ path: '/u', pageSize: 3, item: Item, key: (i) => i.id });

  it('keeps paging past short pages and stops only on an empty array', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/u?startAt=0&maxResults=3' }).reply(200, [{ id: 'a' }]);
    pool.intercept({ path: '/u?startAt=1&maxResults=3' }).reply(200, [{ id: 'b' }, { id: 'c' }, { id: 'd' }]);
    pool.intercept({ path: '/u?startAt=4&maxResults=3' }).reply(200, []);
    const pages = await all(paginate(client, style));
    expect(ids(pages)).toEqual(['a', 'b', 'c', 'd']);
    expect(pages.at(-1)?.next).toBeNull();
  });

  it('drops items repeated by a window that overlaps a short page', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/u?startAt=0&maxResults=3' }).reply(200, [{ id: 'a' }, { id: 'c' }]);
    pool.intercept({ path: '/u?startAt=2&maxResults=3' }).reply(200, [{ id: 'c' }, { id: 'd' }, { id: 'e' }]);
    pool.intercept({ path: '/u?startAt=5&maxResults=3' }).reply(200, []);
    expect(ids(await all(paginate(client, style)))).toEqual(['a', 'c', 'd', 'e']);
  });

  it('keeps the cursor small: no remembered ids after a full page', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/u?startAt=0&maxResults=3' }).reply(200, [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    pool.intercept({ path: '/u?startAt=3&maxResults=3' }).reply(200, []);
    const pages = await all(paginate(client, style));
    expect(pages[0]?.next).toEqual({ startAt: 3 });
  });
});

describe('single and nextLink', () => {
  it('single reads one response through select', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/s' }).reply(200, { things: [{ id: 'a' }] });
    const pages = await all(paginate(client, single({ path: '/s', item: Item, select: (b) => (b as { things: unknown[] }).things })));
    expect(pages).toEqual([{ items: [{ id: 'a' }], cursor: null, next: null, dropped: 0 }]);
  });

  it('nextLink follows the opaque next URL until it is absent', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/2.0/r?pagelen=100' }).reply(200, { values: [{ id: 'a' }], next: 'https://acme.atlassian.net/2.0/r?page=Zx9' });
    pool.intercept({ path: '/2.0/r?page=Zx9' }).reply(200, { values: [{ id: 'b' }] });
    const style = nextLink({
      path: '/2.0/r',
      pageSizeParam: 'pagelen',
      pageSize: 100,
      item: Item,
      items: (b) => (b as { values: unknown[] }).values,
      next: (r) => (r.body as { next?: string }).next,
    });
    expect(ids(await all(paginate(client, style)))).toEqual(['a', 'b']);
  });
});

describe('the key guard (offset pages short mid-list)', () => {
  const style = pageBean({ path: '/o', pageSize: 4, item: Item, key: (i) => i.id });

  it('never advances past the rows received, and drops the rows a window counted by position sends again', async () => {
    // Prepare: the server windows positions 0-3, filters one out (3 rows), then serves positions 3-6.
    const { client, pool } = mockClient();
    pool.intercept({ path: '/o?startAt=0&maxResults=4' }).reply(200, { isLast: false, values: [{ id: 'a' }, { id: 'b' }, { id: 'd' }] });
    pool.intercept({ path: '/o?startAt=3&maxResults=4' }).reply(200, { isLast: true, values: [{ id: 'd' }, { id: 'e' }, { id: 'f' }] });
    // Act
    const pages = await all(paginate(client, style));
    // Assess
    expect(ids(pages)).toEqual(['a', 'b', 'd', 'e', 'f']);
    expect(pages.map((p) => p.dropped)).toEqual([0, 1]);
  });

  it('keeps no keys after a full page, so its memory is bounded by one page', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/o?startAt=0&maxResults=4' }).reply(200, { isLast: false, values: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }] });
    pool.intercept({ path: '/o?startAt=4&maxResults=4' }).reply(200, { isLast: true, values: [{ id: 'e' }] });
    const pages = await all(paginate(client, style));
    expect(pages[0]?.next).toEqual({ startAt: 4 });
  });

  it('still drops a repeat after a resume from the checkpointed cursor', async () => {
    // Prepare: the first page is short; its next cursor goes through JSON as a checkpoint does.
    const { client, pool } = mockClient();
    pool.intercept({ path: '/o?startAt=0&maxResults=4' }).reply(200, { isLast: false, values: [{ id: 'a' }, { id: 'b' }] });
    const first = (await paginate(client, style).next()).value as Page<{ id: string }>;
    const resumed = JSON.parse(JSON.stringify(first.next)) as Json;
    pool.intercept({ path: '/o?startAt=2&maxResults=4' }).reply(200, { isLast: true, values: [{ id: 'b' }, { id: 'c' }] });
    // Act
    const rest = await all(paginate(client, style, resumed));
    // Assess
    expect(ids(rest)).toEqual(['c']);
    expect(rest[0]?.dropped).toBe(1);
  });

  it('drops a key repeated inside one page', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/o?startAt=0&maxResults=4' }).reply(200, { isLast: true, values: [{ id: 'a' }, { id: 'a' }, { id: 'b' }] });
    const pages = await all(paginate(client, style));
    expect(ids(pages)).toEqual(['a', 'b']);
    expect(pages[0]?.dropped).toBe(1);
  });

  it('guards next-link styles that declare a key (Confluence Data Center)', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/l?limit=3' }).reply(200, { values: [{ id: 'a' }, { id: 'b' }], next: '/l?start=2&limit=3' });
    pool.intercept({ path: '/l?start=2&limit=3' }).reply(200, { values: [{ id: 'b' }, { id: 'c' }] });
    const link = nextLink({
      path: '/l',
      pageSizeParam: 'limit',
      pageSize: 3,
      item: Item,
      key: (i) => i.id,
      items: (b) => (b as { values: unknown[] }).values,
      next: (r) => (r.body as { next?: string }).next,
    });
    expect(ids(await all(paginate(client, link)))).toEqual(['a', 'b', 'c']);
  });
});

describe('payload validation', () => {
  it('names the endpoint and the field when a payload is not what the spec says', async () => {
    const { client, pool } = mockClient();
    pool.intercept({ path: '/x?startAt=0&maxResults=5' }).reply(200, { isLast: true, values: [{ id: 'a' }, { id: 42 }] });
    const err = await all(paginate(client, pageBean({ path: '/x', pageSize: 5, item: Item, key: (i) => i.id }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as Error).message).toContain('endpoint GET /x');
    expect((err as Error).message).toContain("'values[1].id'");
  });
});
