import { describe, expect, it } from 'vitest';
import { pager, type ListPage, type Pager } from '../../simulator/index.ts';

/** A route context without the 'shortPage' fault. */
const noFault = { page: <T>(items: readonly T[]) => ({ items: [...items], short: false }) };
/** A route context whose 'shortPage' fault keeps the first two rows. */
const truncateToTwo = { page: <T>(items: readonly T[]) => ({ items: items.slice(0, 2), short: items.length > 2 }) };

const rows = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Every page from start 0, following the start the server itself gives next. */
function walk(p: Pager, list: string, all: readonly number[], limit: number): ListPage<number>[] {
  const out: ListPage<number>[] = [];
  let start = 0;
  for (;;) {
    const page = p.page(noFault, list, all, start, limit);
    out.push(page);
    if (!page.more) return out;
    start = page.nextStart;
  }
}

describe('simulated short pages (simulator/paging.ts)', () => {
  it('without the option, a page is exactly the slice [start, start + limit)', () => {
    // Prepare
    const p = pager(1);
    // Act
    const page = p.page(noFault, 'plain', rows(25), 10, 10);
    // Assess
    expect(page).toEqual({ items: rows(20).slice(10), more: true, nextStart: 20, faulted: false });
  });

  it('positions reading: a page hides rows of its window, and the next start is start + limit', () => {
    // Prepare
    const p = pager(7, { reading: 'positions', rate: 0.5 });
    const all = rows(1000);
    // Act
    const page = p.page(noFault, 'users', all, 100, 50);
    // Assess
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.length).toBeLessThan(50);
    expect(page.nextStart).toBe(150);
    expect(page.more).toBe(true);
  });

  it('positions reading: following the server\'s next start returns every visible row exactly once', () => {
    // Prepare
    const p = pager(7, { reading: 'positions', rate: 0.3 });
    const all = rows(997);
    // Act
    const seen = walk(p, 'members', all, 40).flatMap((pg) => pg.items);
    // Assess
    expect(seen).toEqual(all);
  });

  it('positions reading: the list spans more positions than rows, and pages count them', () => {
    // Prepare
    const p = pager(7, { reading: 'positions', rate: 0.3 });
    // Act
    const positions = p.positions('groups', 500);
    // Assess
    expect(positions).toBeGreaterThan(500);
    expect(p.pages('groups', 500, 50)).toBe(Math.ceil(positions / 50));
  });

  it('positions reading: no window of two or more positions inside the list is empty', () => {
    // Prepare
    const p = pager(3, { reading: 'positions', rate: 0.9 });
    const all = rows(300);
    const positions = p.positions('dense', all.length);
    // Act
    const empty = rows(positions - 1).filter((start) => p.page(noFault, 'dense', all, start, 2).items.length === 0);
    // Assess
    expect(empty).toEqual([]);
  });

  it('positions reading: a client advancing by the rows received reads some rows again', () => {
    // Prepare
    const p = pager(7, { reading: 'positions', rate: 0.3 });
    const all = rows(400);
    const seen: number[] = [];
    let start = 0;
    // Act
    for (;;) {
      const page = p.page(noFault, 'objects', all, start, 50);
      seen.push(...page.items);
      if (!page.more) break;
      start += page.items.length;
    }
    // Assess
    expect(new Set(seen)).toEqual(new Set(all));
    expect(seen.length).toBeGreaterThan(all.length);
  });

  it('returned reading: some page mid-list is a non-empty proper prefix, and the next start is start + received', () => {
    // Prepare
    const p = pager(7, { reading: 'returned', rate: 0.5 });
    const all = rows(1000);
    // Act
    const pages = walk(p, 'customers', all, 50);
    // Assess
    const short = pages.find((pg) => pg.more && pg.items.length < 50);
    expect(short?.items.length).toBeGreaterThan(0);
    expect(short?.nextStart).toBe((short?.items[0] ?? 0) + (short?.items.length ?? 0));
  });

  it('returned reading: following the server\'s next start returns every row exactly once', () => {
    // Prepare
    const p = pager(7, { reading: 'returned', rate: 0.5 });
    const all = rows(1000);
    // Act
    const seen = walk(p, 'customers', all, 50).flatMap((pg) => pg.items);
    // Assess
    expect(seen).toEqual(all);
  });

  it('returned reading: a client advancing by the limit skips rows', () => {
    // Prepare
    const p = pager(7, { reading: 'returned', rate: 0.5 });
    const all = rows(1000);
    const seen: number[] = [];
    // Act
    for (let start = 0; start < all.length; start += 50) seen.push(...p.page(noFault, 'customers', all, start, 50).items);
    // Assess
    expect(seen.length).toBeLessThan(all.length);
  });

  it('the same request always gets the same page', () => {
    // Prepare
    const a = pager(9, { reading: 'returned', rate: 0.5 });
    // Act
    const first = a.page(noFault, 'x', rows(500), 150, 50);
    const again = pager(9, { reading: 'returned', rate: 0.5 }).page(noFault, 'x', rows(500), 150, 50);
    // Assess
    expect(again).toEqual(first);
  });

  it('the shortPage fault composes: in the positions reading the page continues right after its last row', () => {
    // Prepare
    const p = pager(7, { reading: 'positions', rate: 0.3 });
    const all = rows(400);
    // Act
    const page = p.page(truncateToTwo, 'objects', all, 0, 50);
    const next = p.page(noFault, 'objects', all, page.nextStart, 50);
    // Assess
    expect(page).toMatchObject({ items: [0, 1], more: true, faulted: true });
    expect(next.items[0]).toBe(2);
  });
});
