import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Run, Unit } from '../../shared/config.ts';
import { col, defineTable } from '../../shared/schema/table.ts';
import { discardStagedFrom, InvocationWriter, promoteUnit } from '../../shared/sink/sink.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { freshBucket, motoS3 } from '../support/moto.ts';

const blobs = defineTable({ name: 't_blobs', description: 'b', key: ['id'], columns: { id: col.int(), data: col.string() } });
const unit: Unit = { org: 'acme', product: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic' } };
const base = { site: 'acme.atlassian.net', collected_at: '2026-11-28T00:00:00.000Z' };

async function writeRun(store: S3Store, run: Run, rows: number, dataBytes: number, seq = 0): Promise<void> {
  const w = new InvocationWriter(store, run, unit, seq);
  for (let i = 0; i < rows; i++) {
    w.add(blobs, { id: i, data: randomBytes(dataBytes).toString('base64'), ...base });
    if (i % 1000 === 999) await w.flush();
  }
  await w.close();
}

describe('S3 sink through moto_server', () => {
  it('streams a part larger than one multipart chunk and publishes it to the Hive partition', async () => {
    const s3 = motoS3();
    const bucket = await freshBucket(s3);
    const store = new S3Store(s3, bucket, 'data');
    const run: Run = { id: 'run-1', date: '2026-11-28' };
    await writeRun(store, run, 60_000, 96); // ~7.7 MiB of incompressible base64: two upload parts
    await promoteUnit(store, run, unit, [blobs]);

    const keys = await store.list('t_blobs/');
    expect(keys).toEqual(['t_blobs/dt=2026-11-28/org=acme/jira-acme-atlassian-net--run-1--part-00000-000.json.gz']);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `data/${keys[0]}` }));
    expect(head.ContentLength).toBeGreaterThan(5 * 1024 * 1024);
    const lines = gunzipSync(await store.read(keys[0] ?? '')).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(60_000);
    expect((JSON.parse(lines[59_999] ?? '{}') as { id: number }).id).toBe(59_999);
    expect(await store.list('_staging/')).toEqual([]);
  });

  it('a new run replaces the unit\'s partition whole; a staged but unpromoted run leaves it untouched', async () => {
    const s3 = motoS3();
    const bucket = await freshBucket(s3);
    const store = new S3Store(s3, bucket);
    const day = '2026-11-28';
    await writeRun(store, { id: 'a', date: day }, 10, 4);
    await promoteUnit(store, { id: 'a', date: day }, unit, [blobs]);
    await writeRun(store, { id: 'b', date: day }, 3, 4); // staged only: run b "failed"
    expect(await store.list('t_blobs/')).toEqual([`t_blobs/dt=${day}/org=acme/jira-acme-atlassian-net--a--part-00000-000.json.gz`]);
    await promoteUnit(store, { id: 'b', date: day }, unit, [blobs]);
    const keys = await store.list('t_blobs/');
    expect(keys).toEqual([`t_blobs/dt=${day}/org=acme/jira-acme-atlassian-net--b--part-00000-000.json.gz`]);
    expect(gunzipSync(await store.read(keys[0] ?? '')).toString('utf8').trim().split('\n')).toHaveLength(3);
  });

  it('an invocation looks for an earlier attempt\'s parts from its own sequence number on, not through the unit\'s whole staging', async () => {
    // Prepare: invocations 0–1,099 of a long unit each staged one part (more than one S3 listing page of 1,000
    // keys), and a lost attempt of invocation 1,100 staged one too.
    const s3 = motoS3();
    const bucket = await freshBucket(s3);
    const store = new S3Store(s3, bucket, 'data');
    const run: Run = { id: 'long', date: '2026-11-28' };
    for (let seq = 0; seq <= 1100; seq += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => seq + k).filter((s) => s <= 1100).map((s) => writeRun(store, run, 1, 4, s)));
    const listed = countListedKeys(s3);
    // Act: the retry of invocation 1,100 discards what its lost attempt left.
    const discarded = await discardStagedFrom(store, run, unit, 1100);
    // Assess: it read and deleted only that part; the 1,100 parts of earlier invocations are kept and were not listed.
    expect({ discarded, listed: listed() }).toEqual({ discarded: 1, listed: 1 });
    expect(await store.list('_staging/')).toHaveLength(1100);
  });
});

/** Counts the keys S3 returns to ListObjectsV2 from now on. */
function countListedKeys(s3: S3Client): () => number {
  let n = 0;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === ListObjectsV2Command.name) n += ((out.output as { KeyCount?: number }).KeyCount ?? 0);
      return out;
    },
    { step: 'initialize', name: 'countListedKeys' },
  );
  return () => n;
}
