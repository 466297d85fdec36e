import { siteHost, unitId, type AuthConfig, type Product, type Run, type Unit } from '../config.ts';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { CheckpointSchema, CollectInputSchema, emptyStats, StatsSchema, type Checkpoint, type CollectInput, type CollectResult, type Stats } from '../contract.ts';
import { ConfigError, RateLimitedError, StorageError } from '../errors.ts';
import { registerSecrets, type Credentials } from '../http/auth.ts';
import { HttpClient, type HttpClientOptions } from '../http/client.ts';
import { ATLASSIAN_CLOUD_RATE, DEFAULT_RATE_LIMIT_SHARE, type RateBudgetRegistry, type RatePolicy } from '../http/pacing.ts';
import { silentLogger, Redactor, type Logger } from '../redact.ts';
import type { AnyTable } from '../schema/table.ts';
import { discardStagedFrom, InvocationWriter, promoteUnit } from '../sink/sink.ts';
import { stagingPrefix } from '../sink/layout.ts';
import type { BlobStore } from '../sink/store.ts';
import { resolveBaseUrl } from './base-url.ts';
import { IncrementalRun, IncrementalStateSchema, incrementalStreams, localWatermarks, publishWatermark, stageWatermark, type WatermarkLocation } from './incremental.ts';
import { collectorUnits } from './units-table.ts';
import { FrameSchema, runStreams, StopSignal, type Frame, type Position, type RowOut, type Stream } from './streams.ts';

/** Which credentials a product takes, in a deployment (the unit's `auth.kind`) and in the local command (the environment). */
export interface ProductCredentials {
  /** The `auth.kind`s the product's API accepts. */
  readonly kinds: readonly AuthConfig['kind'][];
  /** Credentials of the product's own that the local command reads from the environment. @default the Atlassian ones (`ATLASSIAN_*`) */
  readonly envKind?: 'genie-key' | 'trello';
  /** Environment variables the local command reads for this product, for its usage text. */
  readonly env: readonly string[];
}

/**
 * What an Atlassian Cloud product takes (Jira, Confluence, JSM and its operations, Assets; Bitbucket adds its own
 * kind): an API token with its account's e-mail, a bearer token, or OAuth 2.0; locally from the `ATLASSIAN_*`
 * environment variables.
 */
export const ATLASSIAN_CLOUD_CREDENTIALS: ProductCredentials = {
  kinds: ['basic', 'bearer', 'oauth2'],
  env: ['ATLASSIAN_EMAIL', 'ATLASSIAN_API_TOKEN', 'ATLASSIAN_BEARER_TOKEN', 'ATLASSIAN_SECRET_FILE'],
};

/**
 * Everything about one product, in one module under `functions/`: its name and title, the unit options it adds
 * to the config, the credentials it takes, its tables and its streams. The registry (functions/index.ts) lists
 * every module; nothing else names a product.
 */
/** The options shape of a product that adds none to the unit. */
export type NoOptions = Record<never, never>;

export interface ProductModule<P extends string = Product, O extends z.ZodRawShape = z.ZodRawShape> {
  readonly product: P;
  /** Title in the table reference (docs/tables.md) and the usage text, e.g. `Jira Cloud`. */
  readonly title: string;
  /**
   * The unit options of this product (config keys beside `siteUrl` and `auth`, e.g. Bitbucket's `workspaces`),
   * every one optional; the deployment config and the local command accept them on a unit, and the engine
   * checks a unit's against them before it collects.
   */
  readonly options: z.ZodObject<O>;
  readonly credentials: ProductCredentials;
  readonly tables: readonly AnyTable[];
  /** Streams for one unit, in collection order. */
  streams(unit: Unit): readonly Stream[];
  /** Base URL of the product's API for this unit, when the unit sets no `apiBaseUrl`. @default unit.siteUrl */
  baseUrl?(unit: Unit): string;
  /**
   * Other origins this unit's streams address with absolute URLs, with the same credentials (Assets: the site
   * for the workspace id, `https://api.atlassian.com` for the Assets API). The client refuses any other origin.
   */
  origins?(unit: Unit): readonly string[];
  /** Written into every row's `deployment` column. @default 'cloud' */
  readonly deployment?: 'cloud' | 'data-center';
  /** Which headers tell the API's request budget, and its documented figures. @default {@link ATLASSIAN_CLOUD_RATE} */
  readonly rateLimit?: RatePolicy;
}

/** Progress of one page, for the local command's display and the Lambda's logs. */
export interface Progress {
  readonly unit: string;
  readonly stream: string;
  /** Items of this page of the stream. */
  readonly items: number;
  /** Rows this page of the stream produced (every table it writes). */
  readonly streamRows: number;
  /** Items in the stream's whole list, when the endpoint says (top-level streams): for a percentage. */
  readonly total?: number;
  readonly pages: number;
  /** Rows of the unit so far (every stream). */
  readonly rows: number;
  readonly requests: number;
}

/** Everything one invocation needs besides its input. Built per invocation: nothing is cached across them. */
export interface CollectDeps {
  readonly module: ProductModule;
  readonly store: BlobStore;
  readonly credentials: Credentials;
  readonly redactor?: Redactor;
  readonly log?: Logger;
  /** Milliseconds left before the invocation must have returned (Lambda `getRemainingTimeInMillis`). */
  readonly remainingMs?: () => number;
  /** Stop when less than this is left. @default 90000 */
  readonly safetyMarginMs?: number;
  /** Stop at the first page boundary after this many HTTP requests. */
  readonly maxRequests?: number;
  readonly http?: Partial<Omit<HttpClientOptions, 'baseUrl' | 'credentials' | 'context' | 'pacing'>>;
  /**
   * Tests and the benchmark: divide the documented rate-limit windows by `timeScale`, or keep budgets in a
   * `registry` of their own. `off`: no pacing (the baseline client of the benchmark).
   */
  readonly pacing?: { readonly timeScale?: number; readonly registry?: RateBudgetRegistry; readonly off?: boolean };
  readonly onProgress?: (p: Progress) => void;
  readonly now?: () => Date;
  /** Where the audit-log watermarks are kept. @default the output store, under `_state/` (shared/engine/incremental.ts) */
  readonly watermarks?: WatermarkLocation;
}

/** Key of the marker a unit writes to staging when it has collected everything. */
export function doneMarkerKey(run: Run, unit: Unit): string {
  return `${stagingPrefix(run, unit)}_done.json`;
}

/**
 * The handler contract shared by the Lambda and the local command:
 * `collect({ run, unit, checkpoint }) -> { done, checkpoint, stats }`.
 *
 * Runs the unit's streams from the checkpoint, stops at a page boundary when the time or request budget
 * runs out, flushes what it wrote and returns the next checkpoint. Re-running from the same checkpoint
 * first discards what a crashed attempt may have staged, so nothing is lost or doubled.
 */
export async function collect(rawInput: CollectInput, deps: CollectDeps): Promise<CollectResult> {
  const parsed = CollectInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`invalid collect input at '${i?.path.join('.') ?? ''}': ${i?.message ?? 'invalid'}. Pass { run, unit, checkpoint } as the workflow does.`);
  }
  const { run, unit, checkpoint } = parsed.data;
  if (unit.product !== deps.module.product) {
    throw new ConfigError(`unit ${unitId(unit)} is a ${unit.product} unit but was given the ${deps.module.product} module; pass moduleFor(unit.product) (functions/index.ts).`);
  }
  const options = deps.module.options.safeParse(unit);
  if (!options.success) {
    const i = options.error.issues[0];
    throw new ConfigError(`unit ${unitId(unit)}: ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}. Correct the unit's ${deps.module.product} options in the config.`);
  }
  const started = Date.now();
  const now = deps.now ?? (() => new Date());
  const redactor = deps.redactor ?? new Redactor();
  registerSecrets(deps.credentials, redactor);
  const log = deps.log ?? silentLogger;
  const seq = checkpoint?.seq ?? 0;
  const position: Position = checkpoint
    ? { stream: checkpoint.stream, frame: checkpoint.frame === null ? null : parseFrame(checkpoint.frame) }
    : { stream: 0, frame: null };
  const stats: Stats = checkpoint ? structuredClone(checkpoint.stats) : emptyStats();
  const site = siteHost(unit);
  const deployment = deps.module.deployment ?? 'cloud';
  const id = unitId(unit);

  const discarded = await discardStagedFrom(deps.store, run, unit, seq);
  if (discarded) log.warn('discarded parts of an earlier attempt of this invocation', { unit: id, seq, parts: discarded });
  if (!checkpoint) await deps.store.delete([doneMarkerKey(run, unit)]);

  const baseUrl = checkpoint?.baseUrl ?? (await resolveBaseUrl(unit, deps.module.baseUrl?.(unit)));
  const client = new HttpClient({
    concurrency: DEFAULT_CONCURRENCY,
    ...deps.http,
    baseUrl,
    origins: deps.module.origins?.(unit) ?? [],
    credentials: deps.credentials,
    context: { org: unit.org, product: unit.product, site },
    ...(deps.pacing?.off
      ? {}
      : {
          pacing: {
            policy: deps.module.rateLimit ?? ATLASSIAN_CLOUD_RATE,
            share: unit.rateLimitShare ?? DEFAULT_RATE_LIMIT_SHARE,
            ...(unit.rateLimitBudget !== undefined ? { limit: unit.rateLimitBudget } : {}),
            ...(deps.pacing?.timeScale !== undefined ? { timeScale: deps.pacing.timeScale } : {}),
            ...(deps.pacing?.registry ? { registry: deps.pacing.registry } : {}),
          },
        }),
    redactor,
    log,
  });
  const streams = deps.module.streams(unit);
  const incremental = incrementalStreams(streams).length
    ? await IncrementalRun.open(deps.watermarks ?? localWatermarks(deps.store), run, unit, streams, parseIncremental(checkpoint?.incremental), now())
    : undefined;
  const writer = new InvocationWriter(deps.store, run, unit, seq);
  let pagesNow = 0;
  let waitSeconds = 0;
  let idleWaits = checkpoint?.idleWaits ?? 0;
  const margin = deps.safetyMarginMs ?? 90_000;

  try {
    let done = false;
    try {
      await runStreams(client, streams, position, {
        emit: (rows: readonly RowOut[]) => {
          const at = now().toISOString();
          for (const r of rows) writer.add(r.table, { ...r.row, site, collected_at: at, deployment });
        },
        boundary: async ({ stream, items, dropped, rows: streamRows, total, known }) => {
          await writer.flush();
          pagesNow++;
          stats.pages++;
          stats.alreadyStored += known;
          if (dropped) {
            stats.repeatsDropped += dropped;
            log.info('dropped rows the API sent again (offset window overlapping a short page)', { unit: id, stream, dropped });
          }
          deps.onProgress?.({
            unit: id,
            stream,
            items,
            streamRows,
            ...(total !== undefined ? { total } : {}),
            pages: stats.pages,
            rows: sum(stats.rows) + sum(writer.rows),
            requests: stats.requests + client.counters.requests,
          });
          const outOfRequests = deps.maxRequests !== undefined && client.counters.requests >= deps.maxRequests;
          const outOfTime = deps.remainingMs !== undefined && deps.remainingMs() < margin;
          if (outOfRequests || outOfTime) throw new StopSignal();
        },
        skipped: ({ stream, key, reason }) => {
          stats.skipped++;
          if (reason !== undefined) {
            // A refusal is counted once per stream, with the message that names the scope or plan it needs.
            stats.refused[stream] ??= reason.slice(0, 500);
            incremental?.refused(stream);
          }
          log.info('skipped: a parent vanished before its children were read, or an optional endpoint refused', { unit: id, stream, key, ...(reason ? { reason } : {}) });
        },
        ...(incremental ? { incremental: incremental.hooks() } : {}),
      }, { concurrency: deps.http?.concurrency ?? DEFAULT_CONCURRENCY });
      done = true;
    } catch (e) {
      if (e instanceof RateLimitedError) {
        // Paused, not failed: every worker stopped at a page boundary, so the position is resumable.
        idleWaits = pagesNow > 0 ? 0 : idleWaits + 1;
        if (idleWaits > MAX_IDLE_WAITS) {
          throw new RateLimitedError(
            `${e.message.replace(/^\[[^\]]*\] /, '')}; still rate limited after ${MAX_IDLE_WAITS} pauses without progress. ` +
              `Another client may be using up this credential's budget: run the collection with its own credential or later.`,
            e.context,
            e.retryAfterMs,
            { cause: e },
          );
        }
        waitSeconds = Math.ceil(e.retryAfterMs / 1000);
        log.warn('rate limited; pausing at the checkpoint', { unit: id, waitSeconds, reason: e.message });
      } else if (!(e instanceof StopSignal)) {
        throw e;
      }
    }
    if (done) {
      // The unit's own row, published with its files: the `snapshots` view lists the collection from it.
      writer.add(collectorUnits, {
        product: unit.product,
        run_id: run.id,
        rows: sum(stats.rows) + sum(writer.rows),
        requests: stats.requests + client.counters.requests,
        retries: stats.retries + client.counters.retries,
        invocations: stats.invocations + 1,
        skipped_parents: stats.skipped,
        repeats_dropped: stats.repeatsDropped,
        site,
        collected_at: now().toISOString(),
        deployment,
      });
    }
    await writer.close();
    for (const [t, n] of Object.entries(writer.rows)) stats.rows[t] = (stats.rows[t] ?? 0) + n;
    stats.requests += client.counters.requests;
    stats.retries += client.counters.retries;
    stats.throttled += client.counters.throttled;
    stats.invocations++;
    stats.elapsedMs += Date.now() - started;
    if (done) {
      const mark = incremental?.next(run);
      if (mark) await stageWatermark(deps.store, run, unit, mark);
      await deps.store.write(doneMarkerKey(run, unit), Readable.from([JSON.stringify(stats)]));
      log.info('unit collected', { unit: id, stats });
      return { done: true, checkpoint: null, stats, waitSeconds: 0 };
    }
    const next: Checkpoint = CheckpointSchema.parse({
      v: 1,
      seq: seq + 1,
      stream: position.stream,
      frame: position.frame,
      baseUrl,
      ...(incremental ? { incremental: incremental.state } : {}),
      ...(idleWaits ? { idleWaits } : {}),
      stats,
    });
    log.info('returning checkpoint', { unit: id, seq, pages: pagesNow, waitSeconds });
    return { done: false, checkpoint: next, stats, waitSeconds };
  } catch (e) {
    await writer.abort();
    throw e;
  } finally {
    await client.close();
  }
}

/**
 * Publish a unit that `collect` reported done. Refuses when the unit did not finish, so a failed or partial
 * run can never replace the previous snapshot.
 */
export async function publish(
  store: BlobStore,
  run: Run,
  unit: Unit,
  module: ProductModule,
  watermarks: WatermarkLocation = localWatermarks(store),
): Promise<{ files: number; stats: Stats }> {
  const marker = doneMarkerKey(run, unit);
  const body = await store.readIfExists(marker);
  if (!body) {
    throw new StorageError(
      `unit ${unitId(unit)} of run ${run.id} has not completed (no ${marker} in ${store.location}); its previous snapshot is kept. Collect it to completion first.`,
    );
  }
  const parsed = StatsSchema.safeParse(JSON.parse(body.toString('utf8')));
  if (!parsed.success) throw new StorageError(`${marker} in ${store.location} is not a completion marker this version wrote; collect the unit again.`);
  const stats = parsed.data;
  // The audit-log watermark moves with the files: after they are in place, before staging is cleared.
  const r = await promoteUnit(store, run, unit, [...module.tables, collectorUnits], async () => {
    await publishWatermark(store, run, unit, watermarks);
  });
  return { files: r.files, stats };
}

/** Consecutive rate-limit pauses without a single page of progress before the unit fails. */
const MAX_IDLE_WAITS = 12;

/** Requests in flight at once per site, unless `http.concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 4;

function parseFrame(raw: unknown): Frame {
  const r = FrameSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(`the checkpoint is not one this version wrote (${r.error.issues[0]?.message}); start the unit again without a checkpoint.`);
  return r.data;
}

function parseIncremental(raw: unknown) {
  if (raw === undefined) return undefined;
  const r = IncrementalStateSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(`the checkpoint's audit-log windows are not ones this version wrote (${r.error.issues[0]?.message}); start the unit again without a checkpoint.`);
  return r.data;
}

function sum(r: Record<string, number>): number {
  let s = 0;
  for (const v of Object.values(r)) s += v;
  return s;
}
