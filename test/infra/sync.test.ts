import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runSync } from '../../cli/sync.ts';
import { STATE } from '../../shared/workflow/names.ts';
import type { FinalizeSummary } from '../../shared/workflow/progress.ts';
import { exampleConfig } from './support/synth.ts';

const sfnMock = mockClient(SFNClient);
const SM_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:atlassian-access-collector-collect';
const EXEC_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:atlassian-access-collector-collect:sync-1';
const config = exampleConfig();

function exited(id: number, name: string, output: unknown): HistoryEvent {
  return { id, timestamp: new Date(), type: 'TaskStateExited', stateExitedEventDetails: { name, output: JSON.stringify(output) } };
}
const finalizeOutput: FinalizeSummary = {
  status: 'failed',
  published: 1,
  failed: 1,
  skipped: 0,
  manifestUri: 's3://bucket/manifests/dt=2026-11-28/sync-1.json',
  message: '1 of 2 units failed: acme/jira/acme-support.atlassian.net (AuthenticationError: 401). 1 published; the failed units keep their previous snapshot. Manifest: s3://bucket/manifests/dt=2026-11-28/sync-1.json',
};
const round = { run: { id: 'sync-1', date: '2026-11-28' }, force: false, round: 0, itemsKey: 'state/runs/dt=2026-11-28/sync-1/round-000/items.json', units: 2, sites: 2, continued: 0 };
const historyEvents: HistoryEvent[] = [
  { id: 1, timestamp: new Date(), type: 'ExecutionStarted' },
  exited(2, STATE.plan, round),
  exited(3, STATE.tally, { ...round, round: 1, continued: 1 }),
  exited(4, STATE.tally, { ...round, round: 1, continued: 0 }),
  exited(6, STATE.finalize, { ...round, finalize: finalizeOutput }),
];

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runSync(argv, { sfn: new SFNClient({ region: 'eu-west-1' }), out: (l) => out.push(l), err: (l) => err.push(l), sleep: async () => undefined, env: {}, loadConfig: () => config });
  return { code, out, err };
}

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(ListStateMachinesCommand).resolvesOnce({
    stateMachines: [{ name: 'other', stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:other', type: 'STANDARD', creationDate: new Date() }],
    nextToken: 'p2',
  }).resolvesOnce({ stateMachines: [{ name: 'atlassian-access-collector-collect', stateMachineArn: SM_ARN, type: 'STANDARD', creationDate: new Date() }] });
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXEC_ARN, startDate: new Date() });
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
});

describe('npm run sync', () => {
  it('finds the state machine by name, starts the named org, follows per-unit progress, prints the summary, exits 1 on a failed run', async () => {
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING', executionArn: EXEC_ARN, stateMachineArn: SM_ARN, startDate: new Date() }).resolves({
      status: 'FAILED',
      executionArn: EXEC_ARN,
      stateMachineArn: SM_ARN,
      startDate: new Date(),
      error: 'UnitsFailed',
      cause: finalizeOutput.message,
    });
    sfnMock.on(GetExecutionHistoryCommand).resolvesOnce({ events: historyEvents.slice(0, 4) }).resolves({ events: historyEvents.slice(0, 3), nextToken: 't' });
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: EXEC_ARN, nextToken: 't', maxResults: 1000, includeExecutionData: true }).resolves({ events: historyEvents.slice(3) });

    const r = run(['--org', 'acme', '--product', 'jira', '--date', '2026-11-28', '--wait', '--poll-seconds', '1']);
    expect(await r.code).toBe(1);
    expect(sfnMock.commandCalls(ListStateMachinesCommand)).toHaveLength(2);
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.stateMachineArn).toBe(SM_ARN);
    expect(JSON.parse(start?.input ?? '{}')).toEqual({ orgs: ['acme'], products: ['jira'], date: '2026-11-28' });
    expect(start?.name).toMatch(/^sync-\d{8}T\d{6}Z-[a-z0-9]{1,4}$/);
    expect(r.out).toEqual([
      `started ${EXEC_ARN}`,
      `  https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXEC_ARN}`,
      'run sync-1 (snapshot 2026-11-28): 2 unit(s) on 2 site(s)',
      '  round done: 1 site(s) continue in round 2',
      '  every site settled',
      `\npublished 1  failed 1  already published 0\n${finalizeOutput.message}`,
      'run failed: UnitsFailed',
    ]);
    expect(r.err).toEqual([]);
  });

  it('exits 0 when the run succeeds', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', executionArn: EXEC_ARN, stateMachineArn: SM_ARN, startDate: new Date() });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [exited(6, STATE.finalize, { ...round, finalize: { ...finalizeOutput, status: 'succeeded', failed: 0, message: '2 of 2 units published.' } })] });
    const r = run(['--wait', '--state-machine-arn', SM_ARN]);
    expect(await r.code).toBe(0);
    expect(sfnMock.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '')).toEqual({});
    expect(r.out.at(-1)).toBe('run succeeded');
  });

  it('without --wait, starts and returns', async () => {
    const r = run([]);
    expect(await r.code).toBe(0);
    expect(r.out[0]).toBe(`started ${EXEC_ARN}`);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('prints the execution error when the run failed before finalize (e.g. in plan)', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', executionArn: EXEC_ARN, stateMachineArn: SM_ARN, startDate: new Date(), error: 'ConfigError', cause: 'plan: bad' });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const r = run(['--wait']);
    expect(await r.code).toBe(1);
    expect(r.out.at(-1)).toBe('run failed: ConfigError — plan: bad');
  });

  it('rejects unknown orgs, products and flags before calling AWS (exit 2)', async () => {
    for (const [argv, message] of [
      [['--org', 'initech'], '--org initech: not in the config; configured organizations: acme, globex'],
      [['--product', 'confluence'], '--product confluence: no unit collects it; configured products: jira'],
      [['--date', '2026-13-45'], '--date:'],
      [['--unit', 'acme/jira/nope.atlassian.net'], '--unit acme/jira/nope.atlassian.net: not in the config; configured units: acme/jira/acme.atlassian.net'],
      [['--fast'], "Unknown option '--fast'"],
    ] as const) {
      const r = run([...argv]);
      expect(await r.code).toBe(2);
      expect(r.err[0]).toContain(message);
    }
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('starts nothing while an execution collects the same snapshot date, and names it (run lock)', async () => {
    const RUNNING = 'arn:aws:states:eu-west-1:123456789012:execution:atlassian-access-collector-collect:daily-0300';
    const started = new Date('2026-11-28T03:00:00Z');
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: RUNNING, stateMachineArn: SM_ARN, name: 'daily-0300', status: 'RUNNING', startDate: started }] });
    // The schedule's execution: input {}, so its date is its start date.
    sfnMock.on(DescribeExecutionCommand, { executionArn: RUNNING }).resolves({ executionArn: RUNNING, stateMachineArn: SM_ARN, status: 'RUNNING', startDate: started, input: '{}' });
    const r = run(['--unit', 'acme/jira/acme.atlassian.net', '--date', '2026-11-28', '--state-machine-arn', SM_ARN]);
    expect(await r.code).toBe(1);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({ stateMachineArn: SM_ARN, statusFilter: 'RUNNING' });
    expect(r.err).toEqual([
      `error: a run for snapshot date 2026-11-28 is already running: ${RUNNING} (started 2026-11-28T03:00:00.000Z); one run per date at a time, so none was started.\n` +
        `  Follow it: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${RUNNING}\n` +
        '  Run this again when it has finished (units it published are not collected again), or stop it first:\n' +
        `  aws stepfunctions stop-execution --execution-arn ${RUNNING}`,
    ]);
    expect(r.out).toEqual([]);
  });

  it('starts a run when the running execution collects another date', async () => {
    const RUNNING = 'arn:aws:states:eu-west-1:123456789012:execution:atlassian-access-collector-collect:backfill';
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: RUNNING, stateMachineArn: SM_ARN, name: 'backfill', status: 'RUNNING', startDate: new Date('2026-11-28T03:00:00Z') }] });
    sfnMock.on(DescribeExecutionCommand, { executionArn: RUNNING }).resolves({ executionArn: RUNNING, stateMachineArn: SM_ARN, status: 'RUNNING', startDate: new Date('2026-11-28T03:00:00Z'), input: '{"date":"2026-11-20"}' });
    const r = run(['--date', '2026-11-28', '--state-machine-arn', SM_ARN]);
    expect(await r.code).toBe(0);
    expect(r.out[0]).toBe(`started ${EXEC_ARN}`);
  });

  it('prints the run lock refusal when an execution started at the same moment took the date first', async () => {
    const cause = 'snapshot date 2026-11-28 is already being collected by execution daily-0300 (arn:…, started 2026-11-28T03:00:00Z). Wait for it to finish …';
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', executionArn: EXEC_ARN, stateMachineArn: SM_ARN, startDate: new Date(), error: 'RunLockedError', cause });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const r = run(['--wait', '--date', '2026-11-28', '--state-machine-arn', SM_ARN]);
    expect(await r.code).toBe(1);
    expect(r.out.at(-1)).toBe(`run failed: RunLockedError — ${cause}`);
  });

  it('--rerun starts a new run with the failed run\u2019s date and selection (not forced): only its unpublished units are collected', async () => {
    const FAILED = 'arn:aws:states:eu-west-1:123456789012:execution:atlassian-access-collector-collect:daily-0300';
    sfnMock.on(DescribeExecutionCommand, { executionArn: FAILED }).resolves({
      executionArn: FAILED,
      stateMachineArn: SM_ARN,
      status: 'FAILED',
      startDate: new Date('2026-11-28T03:00:00Z'),
      input: '{"orgs":["acme"],"force":true}',
    });
    const r = run(['--rerun', FAILED, '--state-machine-arn', SM_ARN]);
    expect(await r.code).toBe(0);
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '')).toEqual({ orgs: ['acme'], date: '2026-11-28' });
  });

  it('says how to fix a missing state machine', async () => {
    sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    const r = run(['--wait']);
    expect(await r.code).toBe(2);
    expect(r.err[0]).toContain("no state machine named 'atlassian-access-collector-collect'");
  });
});
