import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Run, Unit } from '../../shared/config.ts';
import type { Checkpoint } from '../../shared/contract.ts';
import { collect, publish, type ProductModule } from '../../shared/engine/collect.ts';
import { pageBean } from '../../shared/engine/paginate.ts';
import { defineStream, row } from '../../shared/engine/streams.ts';
import { col, defineTable } from '../../shared/schema/table.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { basicCreds, ORIGIN } from '../support/mock-http.ts';

// A tiny two-level API: 5 groups (2 per page); members of each group (2 per page); group g3 vanishes.
const groupsT = defineTable({ name: 't_groups', description: 'g', key: ['id'], columns: { id: col.string() } });
const membersT = defineTable({ name: 't_members', description: 'm', key: ['group_id', 'account_id'], columns: { group_id: col.string(), account_id: col.string() } });
const GROUPS = ['g1', 'g2', 'g3', 'g4', 'g5'];
const MEMBERS: Record<string, string[]> = { g1: ['a', 'b', 'c'], g2: [], g3: ['x'], g4: ['a', 'd', 'e', 'f', 'g'], g5: ['h'] };

const members = defineStream<{ id: string }, { accountId: string }>({
  name: 'members',
  style: (g) => pageBean({ path: '/members', query: { g: g.id }, pageSize: 2, item: z.object({ accountId: z.string() }), key: (m) => m.accountId }),
  rows: (m, g) => [row(membersT, { group_id: g.id, account_id: m.accountId })],
  notFound: 'skip-parent',
});
const groups = defineStream<null, { id: string }, { id: string }>({
  name: 'groups',
  style: () => pageBean({ path: '/groups', pageSize: 2, item: z.object({ id: z.string() }), key: (g) => g.id }),
  rows: (g) => [row(groupsT, { id: g.id })],
  childKey: (g) => ({ id: g.id }),
  children: [members],
});
const module: ProductModule = {
  product: 'jira',
  title: 'Jira (test)',
  options: z.object({}),
  credentials: { kinds: ['basic'], env: [] },
  tables: [groupsT, membersT],
  streams: () => [groups],
};

function fakeApi() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const page = <T>(all: T[], startAt: number) => ({ startAt, isLast: startAt + 2 >= all.length, values: all.slice(startAt, startAt + 2) });
  pool
    .intercept({ path: (p) => p.startsWith('/groups') })
    .reply((o) => ({ statusCode: 200, data: page(GROUPS.map((id) => ({ id })), Number(new URL(o.path, ORIGIN).searchParams.get('startAt'))) }))
    .persist();
  pool
    .intercept({ path: (p) => p.startsWith('/members') })
    .reply((o): { statusCode: number; data: object } => {
      const u = new URL(o.path, ORIGIN);
      const g = u.searchParams.get('g') ?? '';
      if (g === 'g3') return { statusCode: 404, data: { errorMessages: ['Group not found'] } };
      return { statusCode: 200, data: page((MEMBERS[g] ?? []).map((accountId) => ({ accountId })), Number(u.searchParams.get('startAt'))) };
    })
    .persist();
  return agent;
}

const run: Run = { id: 'r1', date: '2026-11-28' };
const unit: Unit = { org: 'acme', product: 'jira', siteUrl: ORIGIN, auth: { kind: 'basic' } };

async function readTable(store: LocalStore, table: string): Promise<string[]> {
  const keys = await store.list(`${table}/`);
  const rows: string[] = [];
  for (const k of keys) {
    for (const line of gunzipSync(await store.read(k)).toString('utf8').split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as Record<string, unknown>;
      rows.push(table === 't_groups' ? String(r.id) : `${String(r.group_id)}:${String(r.account_id)}`);
    }
  }
  return rows.sort();
}

describe('streams with checkpoints', () => {
  let dir: string;
  let store: LocalStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'engine-'));
    store = new LocalStore(dir);
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const deps = (maxRequests?: number) => ({
    module,
    store,
    credentials: basicCreds,
    http: { dispatcher: fakeApi() },
    ...(maxRequests ? { maxRequests } : {}),
  });

  it('collects parent and child rows and skips a vanished parent', async () => {
    const res = await collect({ run, unit, checkpoint: null }, deps());
    await publish(store, run, unit, module);
    expect(res.done).toBe(true);
    expect(res.stats.skipped).toBe(1);
    expect(await readTable(store, 't_groups')).toEqual(GROUPS);
    expect(await readTable(store, 't_members')).toEqual(['g1:a', 'g1:b', 'g1:c', 'g4:a', 'g4:d', 'g4:e', 'g4:f', 'g4:g', 'g5:h']);
  });

  it('stops after every request and resumes from the JSON checkpoint with identical output', async () => {
    let checkpoint: Checkpoint | null = null;
    let invocations = 0;
    let largest = 0;
    for (;;) {
      invocations++;
      const res = await collect({ run, unit, checkpoint }, deps(1));
      if (res.done) break;
      const wire = JSON.stringify(res.checkpoint);
      largest = Math.max(largest, wire.length);
      checkpoint = JSON.parse(wire) as Checkpoint;
    }
    await publish(store, run, unit, module);
    expect(invocations).toBeGreaterThan(8);
    expect(largest).toBeLessThan(2000);
    expect(await readTable(store, 't_members')).toEqual(['g1:a', 'g1:b', 'g1:c', 'g4:a', 'g4:d', 'g4:e', 'g4:f', 'g4:g', 'g5:h']);
    expect(await readTable(store, 't_groups')).toEqual(GROUPS);
  });

  it('re-running an invocation from the same checkpoint (a retry) neither loses nor doubles rows', async () => {
    const first = await collect({ run, unit, checkpoint: null }, deps(3));
    const cp = JSON.parse(JSON.stringify(first.checkpoint)) as Checkpoint;
    // The next invocation runs twice from the same checkpoint, as a Lambda retry after a timeout would.
    await collect({ run, unit, checkpoint: cp }, deps(4));
    let res = await collect({ run, unit, checkpoint: cp }, deps(4));
    while (!res.done) res = await collect({ run, unit, checkpoint: res.checkpoint }, deps(4));
    await publish(store, run, unit, module);
    expect(await readTable(store, 't_members')).toEqual(['g1:a', 'g1:b', 'g1:c', 'g4:a', 'g4:d', 'g4:e', 'g4:f', 'g4:g', 'g5:h']);
    expect(res.stats.rows).toEqual({ t_groups: 5, t_members: 9, collector_units: 1 });
  });

  it('refuses to publish a unit that has not completed, keeping the previous snapshot', async () => {
    await collect({ run, unit, checkpoint: null }, deps());
    await publish(store, run, unit, module);
    const before = await store.list('t_members/');
    const run2: Run = { id: 'r2', date: run.date };
    await collect({ run: run2, unit, checkpoint: null }, deps(2));
    await expect(publish(store, run2, unit, module)).rejects.toThrow(/has not completed/);
    expect(await store.list('t_members/')).toEqual(before);
  });
});
