import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type Row,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AthenaQueryRunner, type AthenaRunnerOptions } from '../../shared/sql/athena.ts';
import { QueryFailedError, QueryResultError, QueryStartError, QueryTimeoutError } from '../../shared/sql/errors.ts';

const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());

const noSleep = async () => undefined;
function runner(o: Partial<AthenaRunnerOptions> = {}): AthenaQueryRunner {
  return new AthenaQueryRunner({ athena: new AthenaClient({ region: 'eu-central-1' }), workGroup: 'atlassian-access', database: 'atlassian_access', sleep: noSleep, ...o });
}
const columns: ColumnInfo[] = [
  { Name: 'account_id', Type: 'varchar' },
  { Name: 'scope', Type: 'bigint' },
  { Name: 'active', Type: 'boolean' },
  { Name: 'share', Type: 'double' },
];
const row = (...v: (string | undefined)[]): Row => ({ Data: v.map((x) => (x === undefined ? {} : { VarCharValue: x })) });
const header = row('account_id', 'scope', 'active', 'share');

describe('Athena query runner', () => {
  it('starts the query in the workgroup and database, waits, and reads every result page as typed rows', async () => {
    // Prepare: queued, running, then succeeded; three result pages, the column names as the first page's first row.
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 42 } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2 })
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [header, row('a-1', '3', 'true', '0.5')] }, NextToken: 't-2' });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2, NextToken: 't-2' })
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [row('a-2', undefined, 'false', '2'), row('account_id', '12345678901', undefined, undefined)] }, NextToken: 't-3' });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2, NextToken: 't-3' })
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [row('a-4', '0', 'true', '-1.25')] } });

    // Act
    const rows = await runner({ pageSize: 2 }).run('report admins', 'SELECT 1');

    // Assess: every row of every page, header dropped once, values typed, NULL as null.
    expect(rows).toEqual([
      { account_id: 'a-1', scope: 3, active: true, share: 0.5 },
      { account_id: 'a-2', scope: null, active: false, share: 2 },
      { account_id: 'account_id', scope: 12345678901, active: null, share: null },
      { account_id: 'a-4', scope: 0, active: true, share: -1.25 },
    ]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryString: 'SELECT 1',
      WorkGroup: 'atlassian-access',
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'atlassian_access' },
    });
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
  });

  it('asks for Athena’s page cap of 1,000 rows by default, and never more', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [header] } });

    expect(await runner().run('report dormant', 'SELECT 1')).toEqual([]);
    expect(await runner({ pageSize: 5000 }).run('report dormant', 'SELECT 1')).toEqual([]);

    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.MaxResults)).toEqual([1000, 1000]);
  });

  it('a failed query names the query, its execution id and Athena’s reason', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-9' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', AthenaError: { ErrorMessage: "TABLE_NOT_FOUND: line 3:6: Table 'awsdatacatalog.atlassian_access.access_changes' does not exist" } } },
    });

    const err = await runner({ failureAdvice: 'The report queries are in shared/report/sql.ts' }).run('report changes', 'SELECT 1').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QueryFailedError);
    expect((err as Error).name).toBe('QueryFailedError');
    expect((err as Error).message).toMatch(/^query 'report changes': Athena query q-9 FAILED in workgroup atlassian-access: TABLE_NOT_FOUND: line 3:6: Table '.*access_changes' does not exist\. The report queries are in shared\/report\/sql\.ts$/);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('a query still running after its bounded wait is stopped and reported as timed out', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-slow' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});

    const err = await runner({ maxPolls: 4, pollIntervalMs: 500 }).run('report admins', 'SELECT 1').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect((err as Error).message).toBe(
      "query 'report admins': Athena query q-slow was still RUNNING after 4 checks 500 ms apart; it was stopped. Athena may be queueing queries in workgroup atlassian-access (its concurrency quota); the next run tries again.",
    );
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(4);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]?.args[0].input).toEqual({ QueryExecutionId: 'q-slow' });
  });

  it('a refused start names the workgroup and what to check, with the SDK error as cause', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: athena:StartQueryExecution'), { name: 'AccessDeniedException' });
    athena.on(StartQueryExecutionCommand).rejects(denied);

    const err = await runner().run('report external', 'SELECT 1').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QueryStartError);
    expect((err as Error).message).toBe(
      "query 'report external': Athena did not start it in workgroup atlassian-access (AccessDeniedException: User is not authorized to perform: athena:StartQueryExecution). Check that the workgroup exists and that the function's role may run queries in it (redeploy the stack).",
    );
    expect((err as Error).cause).toBe(denied);
  });

  it('a value that does not fit its declared column type fails naming the query and the column', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [header, row('a-1', 'three', 'true', '1')] } });

    const err = await runner().run('report admins', 'SELECT 1').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QueryResultError);
    expect((err as Error).message).toBe("query 'report admins': column scope is bigint but Athena returned 'three'");
  });
});
