import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { STATE } from '../../../shared/workflow/names.ts';

/**
 * Runs the synthesized parent state machine with aws-local-stepfunctions, which cannot execute a Distributed
 * Map (no ItemReader, ResultWriter or child executions). What is simulated, and only that: the Distributed Map
 * state is replaced by a Task whose local handler does what Step Functions does for it — reads the round's site
 * list from S3 (moto) at the ItemReader's Bucket and Key, applies the ItemSelector to each item, starts one
 * execution of the ItemProcessor (the child state machine, taken unchanged from the template) per item with at
 * most MaxConcurrency running, and writes the results to S3 in the ResultWriter's layout
 * (`<Prefix>/<map run id>/manifest.json`, `SUCCEEDED_0.json`, `FAILED_0.json`), returning
 * `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`. Everything else — every other state, Choice, Wait,
 * Retry and Catch of parent and child — runs as the template says.
 *
 * It measures what the limits are about: the largest state input or output (bytes of UTF-8 JSON) of any state
 * transition, and the history events of each execution, computed per state entered from the published counts
 * (Step Functions developer guide, "Execution history events"): ExecutionStarted and the execution's end 1 each;
 * a Task state 5 (Entered, Scheduled, Started, Succeeded or Failed, Exited) plus 3 per retry (Scheduled, Started,
 * Failed); a Distributed Map 4 in the parent (Entered, MapRunStarted, MapRunSucceeded, Exited); any other state 2.
 * A caught Task is counted as if it exited (1 event more than Step Functions writes): an upper bound.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Handler = (payload: unknown) => Promise<unknown>;

export interface ExecutionMetrics {
  readonly name: string;
  events: number;
  maxPayloadBytes: number;
  /** State whose input or output was the largest. */
  maxPayloadState: string;
  statesEntered: number;
}

export interface LocalWorkflowOptions {
  readonly definition: StateMachineDefinition;
  readonly s3: S3Client;
  /** Lambda handlers by function: each gets the `Payload` and returns the function's result. */
  readonly plan: Handler;
  readonly collect: Handler;
  readonly finalize: Handler;
  /** The Report state's Lambda (functions/handlers/report.ts). */
  readonly report: Handler;
  /** Wraps every collect-Lambda call (step and fail): fault injection and counting. */
  readonly aroundCollect?: (payload: unknown, call: () => Promise<unknown>) => Promise<unknown>;
}

export interface LocalExecution {
  /** The execution's ARN (`$$.Execution.Id`). */
  readonly executionArn: string;
  readonly result: Promise<unknown>;
  readonly parent: ExecutionMetrics;
  readonly children: ExecutionMetrics[];
  /** Stop the parent and every running child (as StopExecution of a parent stops a Distributed Map's children). */
  abort(): void;
  /** Resolves when every handler call that was in flight has settled (a stopped execution's Lambda runs to its end). */
  settled(): Promise<void>;
  /**
   * Redrive the failed execution (Step Functions RedriveExecution): continue it from the state that failed, with the
   * input that state had and `$$.Execution.RedriveCount` one higher. `result` then follows the redriven attempt.
   */
  redrive(): Promise<unknown>;
  retried: string[];
  /** Errors the simulated Distributed Map itself raised (the parent's Catch then goes on without its results). */
  mapErrors: string[];
}

function get(obj: Json, path: string): Json {
  if (path === '$') return obj;
  let cur: Json = obj;
  for (const part of path.replace(/^\$\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return null;
    cur = (cur as { [k: string]: Json })[part] ?? null;
  }
  return cur;
}

/** ItemSelector / Parameters: `key.$` takes a path from the input, or `$$.Map.Item.Value`. */
function select(template: Json, input: Json, item: Json): Json {
  if (Array.isArray(template)) return template.map((t) => select(t, input, item));
  if (template === null || typeof template !== 'object') return template;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(template)) {
    if (k.endsWith('.$') && typeof v === 'string') out[k.slice(0, -2)] = v === '$$.Map.Item.Value' ? item : get(input, v);
    else out[k] = select(v, input, item);
  }
  return out;
}

function newMetrics(name: string): ExecutionMetrics {
  return { name, events: 2, maxPayloadBytes: 0, maxPayloadState: '', statesEntered: 0 };
}

function track(m: ExecutionMetrics, mapState: string | undefined, e: { type: string; state?: { name: string; type: string; input?: unknown; output?: unknown } }, retried: string[]): void {
  const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v ?? null), 'utf8');
  if (e.type === 'StateEntered' && e.state) {
    m.statesEntered++;
    m.events += e.state.name === mapState ? 4 : e.state.type === 'Task' ? 5 : e.state.type === 'Fail' ? 1 : 2;
    const n = size(e.state.input);
    if (n > m.maxPayloadBytes) Object.assign(m, { maxPayloadBytes: n, maxPayloadState: e.state.name });
  } else if (e.type === 'StateExited' && e.state) {
    const n = size(e.state.output);
    if (n > m.maxPayloadBytes) Object.assign(m, { maxPayloadBytes: n, maxPayloadState: e.state.name });
  } else if (e.type === 'StateRetried' && e.state) {
    m.events += 3;
    retried.push(`${e.state.name}:${(e as unknown as { retry: { retrier: { ErrorEquals: string[] } } }).retry.retrier.ErrorEquals[0]}`);
  }
}

export function runLocalWorkflow(input: Json, executionName: string, opts: LocalWorkflowOptions): LocalExecution {
  const def = structuredClone(opts.definition) as unknown as { States: Record<string, Record<string, Json>>; StartAt: string };
  const [mapName, map] = Object.entries(def.States).find(([, s]) => s.Type === 'Map' && (s.ItemProcessor as { ProcessorConfig?: { Mode?: string } })?.ProcessorConfig?.Mode === 'DISTRIBUTED') ?? [];
  if (!mapName || !map) throw new Error('no Distributed Map in the definition');
  const processor = map.ItemProcessor as { StartAt: string; States: Json };
  const childDef = { StartAt: processor.StartAt, States: processor.States } as unknown as StateMachineDefinition;
  // Likewise for the child's Tasks without a timeout of their own (publish, unit failed): Step Functions sets none.
  for (const st of Object.values(childDef.States as unknown as Record<string, Record<string, Json>>)) {
    if (st.Type === 'Task' && st.TimeoutSeconds === undefined) st.TimeoutSeconds = 900;
  }
  const reader = map.ItemReader as { Parameters: { Bucket: string; 'Key.$': string } };
  const writer = map.ResultWriter as { Parameters: { Bucket: string; Prefix: string } };
  const maxConcurrency = (map.MaxConcurrency as number | undefined) ?? 1;
  def.States[mapName] = {
    Type: 'Task',
    Resource: 'arn:aws:lambda:us-east-1:123456789012:function:LocalDistributedMap',
    Parameters: { 'input.$': '$' },
    // aws-local-stepfunctions gives a Task 60 s by default (Step Functions: no limit below the execution's); the
    // Map runs as long as its children do, within the execution's timeout.
    TimeoutSeconds: (opts.definition as unknown as { TimeoutSeconds?: number }).TimeoutSeconds ?? 82_800,
    ResultPath: map.ResultPath ?? '$',
    ...(map.Catch ? { Catch: map.Catch } : {}),
    ...(map.Next ? { Next: map.Next } : { End: true }),
  };

  const inflight = new Set<Promise<unknown>>();
  const retried: string[] = [];
  const running = new Set<{ abort: () => void }>();
  let aborted = false;
  const tracked = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.then(
      () => inflight.delete(p),
      () => inflight.delete(p),
    );
    return p;
  };
  const lambda = (h: Handler, around?: LocalWorkflowOptions['aroundCollect']) => async (event: Json) => {
    const payload = (event as { Payload: unknown }).Payload;
    const call = () => h(payload);
    const out = await tracked(around ? around(payload, call) : call());
    return { Payload: JSON.parse(JSON.stringify(out)) as Json };
  };
  const children: ExecutionMetrics[] = [];
  const parentMetrics = newMetrics(executionName);
  let mapRuns = 0;

  const childHandlers = {
    [STATE.step]: lambda(opts.collect, opts.aroundCollect),
    [STATE.failed]: lambda(opts.collect, opts.aroundCollect),
    [STATE.publish]: lambda(opts.finalize),
  };

  // One child state machine for every child execution: constructing one validates the definition (asl-validator,
  // seconds of schema compilation on a loaded machine), which need not be repeated per site and round.
  const childMachine = new StateMachine(childDef, { validationOptions: { checkArn: true, checkPaths: true } });

  async function runChild(childInput: Json, name: string): Promise<{ Status: string; Input: string; Output?: string; Error?: string; Cause?: string }> {
    const metrics = newMetrics(name);
    children.push(metrics);
    const ex = childMachine.run(childInput, {
      context: { Execution: { Name: name } },
      overrides: {
        taskResourceLocalHandlers: childHandlers,
        waitTimeOverrides: { [STATE.pause]: 0 },
        retryIntervalOverrides: { [STATE.step]: 0, [STATE.publish]: 0, [STATE.failed]: 0 },
      },
    });
    running.add(ex);
    const events = (async () => {
      for await (const e of ex.eventLogs) track(metrics, undefined, e as never, retried);
    })();
    try {
      const output = await ex.result;
      return { Status: 'SUCCEEDED', Input: JSON.stringify(childInput), Output: JSON.stringify(output) };
    } catch (e) {
      const cause = (e as { cause?: Error }).cause ?? (e as Error);
      return { Status: aborted ? 'ABORTED' : 'FAILED', Input: JSON.stringify(childInput), Error: cause.name, Cause: cause.message };
    } finally {
      running.delete(ex);
      await events;
    }
  }

  const mapErrors: string[] = [];
  const distributedMap = async (event: Json): Promise<Json> => {
    try {
      return await runMap(event);
    } catch (e) {
      mapErrors.push(`${(e as Error).name}: ${(e as Error).message}`.slice(0, 2000));
      throw e;
    }
  };
  const runMap = async (event: Json): Promise<Json> => {
    const state = (event as { input: Json }).input;
    const run = ++mapRuns;
    const key = get(state, reader.Parameters['Key.$']) as string;
    const body = await opts.s3.send(new GetObjectCommand({ Bucket: reader.Parameters.Bucket, Key: key }));
    const items = JSON.parse(await (body.Body as { transformToString(): Promise<string> }).transformToString()) as Json[];
    const results: Awaited<ReturnType<typeof runChild>>[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length && !aborted) {
        const i = next++;
        results[i] = await runChild(select(map.ItemSelector ?? {}, state, items[i] ?? null), `${executionName}-map${run}-${i}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxConcurrency, items.length) }, worker));
    if (aborted) throw Object.assign(new Error('execution stopped'), { name: 'States.Aborted' });
    const mapRunId = `${executionName}-${run}`;
    const prefix = `${writer.Parameters.Prefix}/${mapRunId}`;
    const put = (k: string, v: unknown) => opts.s3.send(new PutObjectCommand({ Bucket: writer.Parameters.Bucket, Key: k, Body: JSON.stringify(v) }));
    const ok = results.filter((r) => r.Status === 'SUCCEEDED');
    const failed = results.filter((r) => r.Status !== 'SUCCEEDED');
    const files: Record<string, { Key: string }[]> = { SUCCEEDED: [], FAILED: [], PENDING: [] };
    if (ok.length) {
      await put(`${prefix}/SUCCEEDED_0.json`, ok);
      files.SUCCEEDED?.push({ Key: `${prefix}/SUCCEEDED_0.json` });
    }
    if (failed.length) {
      await put(`${prefix}/FAILED_0.json`, failed);
      files.FAILED?.push({ Key: `${prefix}/FAILED_0.json` });
    }
    await put(`${prefix}/manifest.json`, { DestinationBucket: writer.Parameters.Bucket, MapRunArn: `arn:aws:states:us-east-1:123456789012:mapRun:${mapRunId}`, ResultFiles: files });
    return { MapRunArn: `arn:aws:states:us-east-1:123456789012:mapRun:${mapRunId}`, ResultWriterDetails: { Bucket: writer.Parameters.Bucket, Key: `${prefix}/manifest.json` } };
  };

  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:collect:${executionName}`;
  const handlers = {
    [STATE.plan]: lambda(opts.plan),
    [mapName]: distributedMap,
    [STATE.tally]: lambda(opts.finalize),
    [STATE.finalize]: lambda(opts.finalize),
    [STATE.report]: lambda(opts.report),
    [STATE.runFailed]: lambda(opts.finalize),
  };
  // The last state the parent entered, with its input: where a redrive continues when the execution failed.
  let lastEntered: { name: string; input: Json } | undefined;
  const start = (definition: typeof def, stateInput: Json, redriveCount: number) => {
    // A redrive's copy differs from the validated definition only in StartAt, which leaves the states before it
    // unreachable (asl-validator refuses that): it is not validated again.
    const validationOptions = redriveCount ? { noValidate: true } : { checkArn: true, checkPaths: true };
    const sm = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions });
    const ex = sm.run(stateInput, {
      context: { Execution: { Name: executionName, StartTime: '2026-11-27T03:00:00.000Z', Id: executionArn, RedriveCount: redriveCount } },
      overrides: {
        retryIntervalOverrides: { [STATE.plan]: 0, [STATE.tally]: 0, [STATE.finalize]: 0, [STATE.report]: 0, [STATE.runFailed]: 0 },
        taskResourceLocalHandlers: handlers,
      },
    });
    const events = (async () => {
      for await (const e of ex.eventLogs) {
        const ev = e as { type: string; state?: { name: string; input?: unknown } };
        if (ev.type === 'StateEntered' && ev.state) lastEntered = { name: ev.state.name, input: structuredClone(ev.state.input) as Json };
        track(parentMetrics, mapName, e as never, retried);
      }
    })();
    return { ex, result: ex.result.finally(() => events) };
  };
  let current = start(def, input, 0);
  let redrives = 0;
  return {
    executionArn,
    get result() {
      return current.result;
    },
    parent: parentMetrics,
    children,
    retried,
    mapErrors,
    abort() {
      aborted = true;
      for (const c of running) c.abort();
      current.ex.abort();
    },
    async settled() {
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
    redrive() {
      // RedriveExecution: "continues the failed execution from the unsuccessful step and uses the same input", with
      // $$.Execution.RedriveCount one higher. Simulated by starting the same definition at the state that failed.
      if (!lastEntered) throw new Error('redrive: the execution never entered a state');
      aborted = false;
      current = start({ ...def, StartAt: lastEntered.name }, lastEntered.input, ++redrives);
      return current.result;
    },
  };
}
