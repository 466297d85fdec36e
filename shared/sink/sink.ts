import { PassThrough } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { once } from 'node:events';
import type { Run, Unit } from '../config.ts';
import { PayloadError } from '../errors.ts';
import type { TableDef } from '../schema/table.ts';
import type { BlobStore } from './store.ts';
import {
  publishedPartKey,
  publishedUnitPrefix,
  seqOfPart,
  stagedPartKey,
  stagedPartOf,
  stagedSeqStart,
  stagingPrefix,
} from './layout.ts';

/** A part rolls over to the next one after this many uncompressed bytes. */
const PART_BYTES = 256 * 1024 * 1024;

interface OpenPart {
  gzip: Gzip;
  body: PassThrough;
  done: Promise<void>;
  bytes: number;
  k: number;
}

/**
 * The one way rows are written. Rows of one invocation go to staged gzip NDJSON parts named by the
 * invocation's sequence number, so re-running an invocation from the same checkpoint overwrites its own
 * parts. Rows are buffered per table until {@link flush} (called at every page boundary), so memory is
 * bounded by a page.
 */
export class InvocationWriter {
  private readonly buffers = new Map<string, string[]>();
  private readonly parts = new Map<string, OpenPart>();
  private readonly nextK = new Map<string, number>();
  readonly rows: Record<string, number> = {};

  constructor(
    private readonly store: BlobStore,
    private readonly run: Run,
    private readonly unit: Unit,
    private readonly seq: number,
  ) {}

  /** Validate a full row against its table schema and buffer it. */
  add(table: TableDef, row: Record<string, unknown>): void {
    const r = table.schema.safeParse(row);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new PayloadError(
        `row of ${table.name} failed validation at '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}. This is a collector bug: report it with this message.`,
        { org: this.unit.org, product: this.unit.product },
        { cause: r.error },
      );
    }
    let buf = this.buffers.get(table.name);
    if (!buf) this.buffers.set(table.name, (buf = []));
    buf.push(JSON.stringify(r.data));
    this.rows[table.name] = (this.rows[table.name] ?? 0) + 1;
  }

  private flushing: Promise<void> = Promise.resolve();

  /** Write buffered rows into their parts (compressing as they go). Concurrent calls run one after another. */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.flushNow());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private async flushNow(): Promise<void> {
    for (const [table, lines] of this.buffers) {
      if (!lines.length) continue;
      const text = lines.join('\n') + '\n';
      lines.length = 0;
      let part = this.parts.get(table);
      if (part && part.bytes >= PART_BYTES) {
        await this.closePart(part);
        this.parts.delete(table);
        part = undefined;
      }
      if (!part) part = this.openPart(table);
      part.bytes += Buffer.byteLength(text);
      if (!part.gzip.write(text)) await Promise.race([once(part.gzip, 'drain'), part.done]);
    }
  }

  private openPart(table: string): OpenPart {
    const k = this.nextK.get(table) ?? 0;
    this.nextK.set(table, k + 1);
    const gzip = createGzip({ level: 6 });
    const body = new PassThrough();
    // The store may attach its own listeners only after an await; abort() must not crash the process meanwhile.
    body.on('error', () => undefined);
    gzip.pipe(body);
    const done = this.store.write(stagedPartKey(this.run, this.unit, table, this.seq, k), body);
    // Surface a failed upload on close, not as an unhandled rejection.
    done.catch(() => undefined);
    const part: OpenPart = { gzip, body, done, bytes: 0, k };
    this.parts.set(table, part);
    return part;
  }

  private async closePart(part: OpenPart): Promise<void> {
    part.gzip.end();
    await part.done;
  }

  /** Flush and close every part. After this the invocation's output is durable in staging. */
  async close(): Promise<void> {
    await this.flush();
    const parts = [...this.parts.values()];
    this.parts.clear();
    await Promise.all(parts.map((p) => this.closePart(p)));
  }

  /** Abandon the invocation: end streams without waiting for their uploads to be useful. */
  async abort(): Promise<void> {
    const parts = [...this.parts.values()];
    this.parts.clear();
    // Destroying the upload's body makes the store abandon the object (temp file removed, multipart
    // upload aborted), so a failed invocation leaves no half part behind.
    for (const p of parts) {
      p.gzip.unpipe(p.body);
      p.gzip.destroy();
      p.body.destroy(new Error('invocation aborted'));
    }
    await Promise.allSettled(parts.map((p) => p.done));
  }
}

/**
 * Delete staged parts of this unit written by invocation `seq` or later: leftovers of an attempt that
 * crashed or timed out before returning its checkpoint. Their rows will be written again.
 */
export async function discardStagedFrom(store: BlobStore, run: Run, unit: Unit, seq: number): Promise<number> {
  // Listed from invocation `seq` on (S3 StartAfter), not the unit's whole staging: one request at any seq.
  const keys = (await store.list(stagingPrefix(run, unit), { startAfter: stagedSeqStart(run, unit, seq) })).filter((k) => (seqOfPart(k) ?? -1) >= seq);
  await store.delete(keys);
  return keys.length;
}

/**
 * Publish a completed unit: copy its staged parts into the `dt=/org=` partitions, then remove that unit's
 * older files there (tables with no rows this time included), then clear staging. Idempotent: a crash
 * in the middle is repaired by running it again. Until it runs, the previous snapshot stays untouched.
 */
export async function promoteUnit(
  store: BlobStore,
  run: Run,
  unit: Unit,
  tables: readonly TableDef[],
  /** Runs once the unit's files are in place, before staging is cleared (the watermark moves here). */
  beforeCleanup?: () => Promise<void>,
): Promise<{ files: number }> {
  const prefix = stagingPrefix(run, unit);
  const staged = await store.list(prefix);
  const published = new Set<string>();
  for (const key of staged) {
    const part = stagedPartOf(key, prefix);
    if (!part) continue;
    const dst = publishedPartKey(run, unit, part.table, part.name);
    await store.copy(key, dst);
    published.add(dst);
  }
  for (const t of tables) {
    const old = (await store.list(publishedUnitPrefix(t.name, run, unit))).filter((k) => !published.has(k));
    await store.delete(old);
  }
  await beforeCleanup?.();
  await store.delete(staged);
  return { files: published.size };
}
