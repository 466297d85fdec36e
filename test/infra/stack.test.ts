import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedUnits, parseConfig } from '../../infra/config.ts';
import { AccessCatalog } from '../../infra/constructs/access-catalog.ts';
import { CollectorFunctions } from '../../infra/constructs/collector-functions.ts';
import { CollectorSchedule } from '../../infra/constructs/collector-schedule.ts';
import { CollectorWorkflow, FIRST_STEP, INTERRUPTED_ERRORS, LAMBDA_SERVICE_ERRORS } from '../../infra/constructs/collector-workflow.ts';
import { CollectorBucket } from '../../infra/constructs/data-bucket.ts';
import { UnitSecrets } from '../../infra/constructs/unit-secrets.ts';
import type { Config } from '../../shared/config.ts';
import { emptyStats } from '../../shared/contract.ts';
import { loadQuestions } from '../../shared/sql/questions.ts';
import { MAP_RESULTS_PREFIX, STATE } from '../../shared/workflow/names.ts';
import { dataBucketId, exampleConfig, onlyResource, stateMachineDefinition, synthStack, testApp } from './support/synth.ts';

type Json = Record<string, unknown>;

let config: Config;
let stack: Stack;
let template: Template;
let resources: Record<string, { Type: string; Properties: Json; Metadata?: Json }>;
let bucketId: string;

function ofType(type: string): [string, { Type: string; Properties: Json }][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** The policy statements attached to the role of the function whose description ends with `: <handler>`. */
function functionStatements(handler: string): Json[] {
  const fn = ofType('AWS::Lambda::Function').find(([, r]) => String(r.Properties.Description).endsWith(`: ${handler}`));
  const roleId = ((fn?.[1].Properties.Role as Json)['Fn::GetAtt'] as string[])[0];
  // Every policy attached to the role (plan has a second one: see the run lock test).
  const policies = ofType('AWS::IAM::Policy').filter(([, r]) => (r.Properties.Roles as Json[]).some((x) => x.Ref === roleId));
  return policies.flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
}

const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]] });
const logsAndXray = (logsId: string) => [
  { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } },
  { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
];
function fnIdOf(handler: string): string | undefined {
  return ofType('AWS::Lambda::Function').find(([, r]) => String(r.Properties.Description).endsWith(`: ${handler}`))?.[0];
}
function logGroupOf(handler: string): string {
  const fn = ofType('AWS::Lambda::Function').find(([, r]) => String(r.Properties.Description).endsWith(`: ${handler}`));
  return ((fn?.[1].Properties.LoggingConfig as Json).LogGroup as Json).Ref as string;
}

beforeAll(() => {
  config = exampleConfig();
  ({ stack, template } = synthStack(config));
  resources = (template.toJSON() as { Resources: typeof resources }).Resources;
  bucketId = dataBucketId(template);
}, 300_000); // one synth: seconds on an idle machine, more on a loaded one

describe('data bucket', () => {
  it('is encrypted, private, TLS-only, versioned, logged, with lifecycle per prefix', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') }, LogFilePrefix: 'data-bucket/' },
      LifecycleConfiguration: {
        Rules: [
          { Id: 'staging', Prefix: 'data/_staging/', ExpirationInDays: 7, Status: 'Enabled' },
          { Id: 'workflow-state', Prefix: 'state/', ExpirationInDays: 7, Status: 'Enabled' },
          { Id: 'snapshots', Prefix: 'data/', ExpirationInDays: config.retentionDays, Status: 'Enabled' },
          { Id: 'manifests', Prefix: 'manifests/', ExpirationInDays: config.retentionDays, Status: 'Enabled' },
          { Id: 'athena-results', Prefix: 'athena-results/', ExpirationInDays: 30, Status: 'Enabled' },
          {
            Id: 'versions-and-uploads',
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            ExpiredObjectDeleteMarker: true,
            Status: 'Enabled',
          },
        ],
      },
    });
    expect(resources[bucketId]).toMatchObject({ UpdateReplacePolicy: 'Retain', DeletionPolicy: 'Retain' });
  });

  it('both buckets deny plain HTTP and TLS < 1.2', () => {
    const policies = ofType('AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const [, p] of policies) {
      const statements = (p.Properties.PolicyDocument as { Statement: Json[] }).Statement;
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      );
    }
  });
});

describe('secrets', () => {
  it('creates one secret per distinct secret name, with a placeholder of the documented JSON shape', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').map(([, r]) => r.Properties);
    const names = deployedUnits(config).map((u) => u.auth.secretName);
    expect(secrets.map((s) => s.Name).sort()).toEqual([...new Set(names)].sort());
    const basic = secrets.find((s) => s.Name === 'atlassian-access-collector/acme/jira-admin');
    expect(basic?.GenerateSecretString).toEqual({
      SecretStringTemplate: '{"email":"replace-me@example.com"}',
      GenerateStringKey: 'apiToken',
      ExcludePunctuation: true,
      PasswordLength: 32,
    });
    const bearer = secrets.find((s) => s.Name === 'atlassian-access-collector/globex/jira-globex-atlassian-net');
    expect(bearer?.GenerateSecretString).toMatchObject({ SecretStringTemplate: '{}', GenerateStringKey: 'token' });
  });

  it("'existing' secrets are referenced by name, read-only, and only by the collect role", () => {
    const { template: t } = synthStack({ ...config, aws: { ...config.aws, secrets: 'existing' } });
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const json = JSON.stringify(t.toJSON());
    expect(json).toContain(':secret:atlassian-access-collector/acme/jira-admin-??????');
    expect(json.match(/secretsmanager:GetSecretValue/g)).toHaveLength(1); // one statement, in the collect role's policy
  });
});

describe('OAuth 2.0 secrets', () => {
  it('collect may write back (PutSecretValue) only the secrets of oauth2 units, which rotate their refresh token', () => {
    const withOauth = parseConfig({
      ...JSON.parse(JSON.stringify(config)),
      organizations: [...config.organizations, { id: 'oauth', units: [{ product: 'jira', siteUrl: 'https://oauth.atlassian.net', auth: { kind: 'oauth2', secretName: 'o/a' } }] }],
    });
    for (const mode of ['create', 'existing'] as const) {
      const { template: t } = synthStack({ ...withOauth, aws: { ...withOauth.aws, secrets: mode } });
      const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
        (p) => (p as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement,
      );
      const puts = statements.filter((st) => JSON.stringify(st.Action).includes('PutSecretValue'));
      expect(puts).toHaveLength(1);
      expect(puts[0]?.Action).toBe('secretsmanager:PutSecretValue');
      const resource = JSON.stringify(puts[0]?.Resource);
      if (mode === 'existing') expect(resource).toContain(':secret:o/a-??????');
      else {
        const oauthSecret = Object.entries(t.findResources('AWS::SecretsManager::Secret')).find(([, r]) => (r as { Properties: Json }).Properties.Name === 'o/a');
        expect(puts[0]?.Resource).toEqual({ Ref: oauthSecret?.[0] });
        expect((oauthSecret?.[1] as { Properties: Json }).Properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'refreshToken' });
      }
    }
  });
});

describe('Lambdas', () => {
  it('are Node 22 on arm64 with tracing, JSON logs to their own log group, source maps', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(4);
    for (const [, f] of fns) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      expect((f.Properties.Environment as { Variables: Json }).Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Atlassian access collector: collect',
      MemorySize: config.lambda.memoryMb,
      Timeout: config.lambda.timeoutSeconds,
      Environment: { Variables: { DATA_BUCKET: { Ref: bucketId }, DATA_PREFIX: 'data', SAFETY_MARGIN_MS: '90000', NODE_OPTIONS: '--enable-source-maps' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Atlassian access collector: finalize',
      Environment: { Variables: { DATA_BUCKET: { Ref: bucketId }, DATA_PREFIX: 'data', NODE_OPTIONS: '--enable-source-maps' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Atlassian access collector: report',
      Timeout: 600,
      Environment: {
        Variables: { DATA_BUCKET: { Ref: bucketId }, DATA_PREFIX: 'data', ATHENA_WORKGROUP: 'atlassian-access', GLUE_DATABASE: 'atlassian_access', NODE_OPTIONS: '--enable-source-maps' },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Atlassian access collector: plan',
      MemorySize: 256,
      Timeout: 30,
      Environment: { Variables: { DATA_BUCKET: { Ref: bucketId }, NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  const listOf = (prefix: string) => ({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } }, Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } });

  it('collect may write only staging and its unit records, read the audit-log watermarks, and read only the unit secrets (least privilege)', () => {
    const secretRefs = ofType('AWS::SecretsManager::Secret').map(([id]) => id);
    expect(functionStatements('collect')).toEqual([
      ...logsAndXray(logGroupOf('collect')),
      { Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('data/_staging/') },
      listOf('data/_staging/'),
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: secretRefs.map((id) => ({ Ref: id })) },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('state/units/') },
      listOf('state/units/'),
      // The audit-log watermarks (shared/engine/incremental.ts): read only; finalize moves them when it publishes.
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects('state/watermarks/') },
      listOf('state/watermarks/'),
    ]);
  });

  it('finalize may publish under data/, put manifests and read and write the workflow state, no secrets', () => {
    expect(functionStatements('finalize')).toEqual([
      ...logsAndXray(logGroupOf('finalize')),
      { Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('data/') },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects('manifests/') },
      listOf('data/'),
      // Releases the run lock at the end of the run.
      { Action: 's3:DeleteObject', Effect: 'Allow', Resource: objects('state/locks/') },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('state/') },
      listOf('state/'),
    ]);
  });

  it('report may run queries in the workgroup, read what Athena reads, and put the report beside the manifests: nothing else', () => {
    const arn = (service: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]] });
    const bucket = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    expect(functionStatements('report')).toEqual([
      ...logsAndXray(logGroupOf('report')),
      // The published tables (Athena reads them with the caller's permissions; the units covered are listed from them).
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects('data/') },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects('manifests/') },
      listOf('data/'),
      // Athena: start, watch, read and stop queries in the stack's workgroup only.
      {
        Action: ['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'athena:StopQueryExecution'],
        Effect: 'Allow',
        Resource: arn('athena', 'workgroup/atlassian-access'),
      },
      // The definitions of the views and tables the queries name, in the collector's database only.
      {
        Action: ['glue:GetDatabase', 'glue:GetTable'],
        Effect: 'Allow',
        Resource: [arn('glue', 'catalog'), arn('glue', 'database/atlassian_access'), arn('glue', 'table/atlassian_access/*')],
      },
      // The workgroup's result location: Athena writes there as the caller, GetQueryResults reads it back.
      { Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'], Effect: 'Allow', Resource: objects('athena-results/') },
      { Action: 's3:GetBucketLocation', Effect: 'Allow', Resource: bucket },
      listOf('athena-results/'),
    ]);
  });

  it('plan may only write the run\u2019s site list, take the date\u2019s run lock, and ask whether its holder still runs', () => {
    const smId = onlyResource(template, 'AWS::StepFunctions::StateMachine');
    expect(functionStatements('plan')).toEqual([
      ...logsAndXray(logGroupOf('plan')),
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects('state/runs/') },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('state/locks/') },
      listOf('state/locks/'),
      {
        Action: 'states:DescribeExecution',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':execution:',
              { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: smId }] }] },
              ':*',
            ],
          ],
        },
      },
    ]);
  });
});

describe('state machine', () => {
  const serviceRetry = {
    ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  };
  const interruptedRetry = { ErrorEquals: [...INTERRUPTED_ERRORS], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2 };

  it('has logging (ALL, without execution data), tracing, a timeout and a stable name', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'atlassian-access-collector-collect',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/atlassian-access-collector-collect', RetentionInDays: 90 });
  });

  it('synthesizes without a warning on the workflow (e.g. an ignored ProcessorConfig.executionType)', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).filter((w) => w.id.startsWith('/Collector/Workflow/'));
    expect(warnings.map((w) => `${w.id}: ${String(w.entry.data)}`)).toEqual([]);
  });

  it('runs plan → Distributed Map over sites (S3 in, S3 out) ↺ tally → finalize → report → fail if any unit failed', () => {
    const def = stateMachineDefinition(template) as { StartAt: string; TimeoutSeconds: number; States: Record<string, Json> };
    expect(def.StartAt).toBe(STATE.plan);
    expect(def.TimeoutSeconds).toBe(23 * 3600);
    const s = def.States;
    expect(Object.keys(s).sort()).toEqual(
      [STATE.plan, STATE.map, 'Map failed', STATE.tally, STATE.more, STATE.finalize, STATE.report, STATE.anyFailed, STATE.runFailed, STATE.runSucceeded].sort(),
    );
    expect(s[STATE.plan]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Next: STATE.map,
      OutputPath: '$.Payload',
      Parameters: {
        FunctionName: expect.stringContaining(':function:'),
        Payload: {
          units: deployedUnits(config),
          execution: { 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime', 'id.$': '$$.Execution.Id' },
          lockSeconds: 23 * 3600,
          'request.$': '$',
        },
      },
    });
    expect(s[STATE.plan]?.Retry).toEqual([serviceRetry]);
    expect(s[STATE.plan]?.Catch).toBeUndefined();

    const map = s[STATE.map] as Json & { ItemProcessor: { StartAt: string; ProcessorConfig: Json; States: Record<string, Json> } };
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: config.concurrency,
      ToleratedFailurePercentage: 100,
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Key.$': '$.itemsKey' } },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Prefix: MAP_RESULTS_PREFIX } },
      ItemSelector: { 'run.$': '$.run', 'force.$': '$.force', 'site.$': '$$.Map.Item.Value', step: { ...FIRST_STEP } },
      ResultPath: '$.map',
      Next: STATE.tally,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.mapError', Next: 'Map failed' }],
    });
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const c = map.ItemProcessor.States;
    expect(map.ItemProcessor.StartAt).toBe(STATE.step);
    expect(Object.keys(c).sort()).toEqual([STATE.step, STATE.next, STATE.pause, STATE.publish, STATE.failed, STATE.siteDone, STATE.continued].sort());
    const stepSelector = Object.fromEntries(['next', 'waitSeconds', 'count', 'unit', 'published', 'failed', 'skipped'].map((k) => [`${k}.$`, `$.Payload.${k}`]));
    const siteState = { 'run.$': '$.run', 'force.$': '$.force', 'site.$': '$.site', 'step.$': '$.step' };
    expect(c[STATE.step]).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: expect.stringContaining(':function:'), Payload: { action: 'step', ...siteState } },
      ResultSelector: stepSelector,
      ResultPath: '$.step',
      TimeoutSeconds: config.lambda.timeoutSeconds + 60,
      Retry: [serviceRetry, interruptedRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.failed }],
      Next: STATE.next,
    });
    expect(c[STATE.publish]).toMatchObject({
      Parameters: { Payload: { action: 'publish', ...siteState } },
      ResultPath: '$.step',
      Retry: [serviceRetry, interruptedRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.failed }],
      Next: STATE.next,
    });
    // The failed unit's record keeps a bounded error; the Lambda returns the child's state without the Cause.
    expect(c[STATE.failed]).toMatchObject({ Parameters: { Payload: { action: 'fail', ...siteState, 'error.$': '$.error' } }, OutputPath: '$.Payload', Retry: [serviceRetry], Next: STATE.next });
    expect(c[STATE.failed]?.Catch).toBeUndefined();
    expect(c[STATE.next]).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.step.next', StringEquals: 'done', Next: STATE.siteDone },
        { Variable: '$.step.count', NumericGreaterThanEquals: 1000, Next: STATE.continued },
        { Variable: '$.step.next', StringEquals: 'publish', Next: STATE.publish },
        { Variable: '$.step.next', StringEquals: 'wait', Next: STATE.pause },
      ],
      Default: STATE.step,
    });
    expect(c[STATE.pause]).toEqual({ Type: 'Wait', SecondsPath: '$.step.waitSeconds', Next: STATE.step });
    expect(c[STATE.siteDone]).toEqual({ Type: 'Succeed', OutputPath: '$.step' });
    expect(c[STATE.continued]).toEqual({ Type: 'Succeed', OutputPath: '$.step' });

    expect(s[STATE.tally]).toMatchObject({
      Parameters: { Payload: { action: 'tally', 'resultKey.$': '$.map.ResultWriterDetails.Key' } },
      OutputPath: '$.Payload',
      Retry: [serviceRetry, interruptedRetry],
      Next: STATE.more,
    });
    expect(s[STATE.more]).toEqual({ Type: 'Choice', Choices: [{ Variable: '$.continued', NumericGreaterThan: 0, Next: STATE.map }], Default: STATE.finalize });
    expect(s[STATE.finalize]).toMatchObject({ Parameters: { Payload: { action: 'finalize' } }, ResultPath: '$.finalize', Next: STATE.report, Retry: [serviceRetry, interruptedRetry] });
    expect(s[STATE.finalize]?.Catch).toBeUndefined();
    // The report never fails the run: its own timeout and a Catch that goes on to the verdict.
    expect(s[STATE.report]).toMatchObject({
      Parameters: { Payload: { action: 'report' }, FunctionName: expect.stringMatching(new RegExp(`:function:${fnIdOf('report')}$`)) },
      ResultPath: null,
      TimeoutSeconds: 600,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: STATE.anyFailed }],
      Next: STATE.anyFailed,
    });
    expect(s[STATE.anyFailed]).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.finalize.failed', NumericGreaterThan: 0, Next: STATE.runFailed }],
      Default: STATE.runSucceeded,
    });
    // A Task, not a Fail state, so that a redrive (which restarts the failed state) collects the failed units again:
    // it fails the run with UnitsFailed unless $$.Execution.RedriveCount is new, then loops to another round.
    expect(s[STATE.runFailed]).toMatchObject({
      Type: 'Task',
      Parameters: {
        Payload: { action: 'redrive', 'redriveCount.$': '$$.Execution.RedriveCount', 'message.$': '$.finalize.message', 'itemsKey.$': '$.itemsKey', 'round.$': '$.round' },
        FunctionName: expect.stringMatching(new RegExp(`:function:${fnIdOf('finalize')}$`)),
      },
      OutputPath: '$.Payload',
      Retry: [serviceRetry],
      Next: STATE.more,
    });
    expect(s[STATE.runFailed]?.Catch).toBeUndefined();
    // No null in any payload (CDK would drop it and a later path would fail with States.Runtime); ResultPath null discards.
    expect(JSON.stringify(def).replaceAll('"ResultPath":null', '')).not.toContain('null');
  });
});

describe('schedule', () => {
  it('starts the workflow daily with {} and a retry policy and dead-letter queue', () => {
    const smId = onlyResource(template, 'AWS::StepFunctions::StateMachine');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: config.schedule,
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { Ref: smId },
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });
});

describe('Athena', () => {
  it('workgroup enforces its result location under athena-results/ with encryption', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'atlassian-access',
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/athena-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  it('ships the named queries analysts ask first', () => {
    const queries = ofType('AWS::Athena::NamedQuery').map(([, r]) => r.Properties);
    // The auditor's questions over the views (sql/questions), and nothing else: the access rules live in the SQL files.
    expect(queries.map((q) => q.Name)).toEqual(loadQuestions().map((q) => `Q${q.number}. ${q.title}`));
    for (const q of queries) {
      expect(q.Database).toBe('atlassian_access');
      expect(q.WorkGroup).toEqual({ Ref: onlyResource(template, 'AWS::Athena::WorkGroup') });
    }
  });

  it('has an analyst policy limited to the workgroup, the database and the data prefixes', () => {
    const [, policy] = ofType('AWS::IAM::ManagedPolicy')[0] ?? [];
    const doc = JSON.stringify(policy?.Properties.PolicyDocument);
    expect(doc).toContain('workgroup/atlassian-access');
    expect(doc).toContain('database/atlassian_access');
    const statements = (policy?.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] }).Statement;
    // Resource "*" only where Athena has no resource-level permissions: what the console lists.
    expect(statements.filter((st) => st.Resource === '*').map((st) => st.Action)).toEqual([['athena:ListDataCatalogs', 'athena:ListEngineVersions', 'athena:ListWorkGroups']]);
    expect(JSON.stringify(statements.find((st) => Array.isArray(st.Action) && st.Action.includes('athena:ListDatabases'))?.Resource)).toContain('datacatalog/AwsDataCatalog');
    // Never the staged parts (partial units), though data/ is readable.
    const denies = statements.filter((st) => st.Effect === 'Deny');
    expect(denies.map((st) => st.Action)).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(denies[0]?.Resource)).toContain('/data/_staging/*');
    expect(denies[1]?.Condition).toEqual({ StringLike: { 's3:prefix': ['data/_staging/*', 'data/_staging'] } });
  });

  it('lets the Athena console list workgroups, catalogs, databases and tables: exactly these statements, scoped as far as the services allow', () => {
    const [, policy] = ofType('AWS::IAM::ManagedPolicy')[0] ?? [];
    const statements = (policy?.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] }).Statement;
    const arn = (service: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]] });
    // No resource-level permissions exist for these list calls (Service Authorization Reference, Amazon Athena).
    expect(statements).toContainEqual({ Action: ['athena:ListDataCatalogs', 'athena:ListEngineVersions', 'athena:ListWorkGroups'], Effect: 'Allow', Resource: '*' });
    // The catalog's databases and tables, only in the AwsDataCatalog.
    expect(statements).toContainEqual({
      Action: ['athena:GetDataCatalog', 'athena:GetDatabase', 'athena:GetTableMetadata', 'athena:ListDatabases', 'athena:ListTableMetadata'],
      Effect: 'Allow',
      Resource: arn('athena', 'datacatalog/AwsDataCatalog'),
    });
    // Glue, which those Athena calls read through: the catalog, the collector database and its tables only.
    expect(statements).toContainEqual({
      Action: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables'],
      Effect: 'Allow',
      Resource: [arn('glue', 'catalog'), arn('glue', 'database/atlassian_access'), arn('glue', 'table/atlassian_access/*')],
    });
  });
});

describe('alarms', () => {
  it('an encrypted, TLS-only topic with the e-mail subscription, alarmed on failed/timed-out/aborted runs', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: config.alarmEmail });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)' })]),
    });
    const topicPolicy = JSON.stringify(ofType('AWS::SNS::TopicPolicy')[0]?.[1].Properties);
    expect(topicPolicy).toContain('aws:SecureTransport');
  });

  it('the topic key lets only this account’s CloudWatch alarms use it (no confused deputy)', () => {
    const [, key] = ofType('AWS::KMS::Key')[0] ?? [];
    const statements = (key?.Properties.KeyPolicy as { Statement: Json[] }).Statement;
    expect(statements.filter((st) => JSON.stringify(st.Principal).includes('cloudwatch'))).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccount',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
        },
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Resource: '*',
      },
    ]);
  });

  const topicRef = () => ({ Ref: onlyResource(template, 'AWS::SNS::Topic') });
  const alarmNamed = (id: string) => {
    const hits = ofType('AWS::CloudWatch::Alarm').filter(([logicalId]) => logicalId.startsWith(`Alarms${id}`));
    expect(hits.map(([logicalId]) => logicalId)).toHaveLength(1);
    return hits[0]?.[1].Properties ?? {};
  };

  it('freshness: a unit of the last run not published for 26 h (StaleUnits from finalize, hourly maximum) alarms at once', () => {
    const p = alarmNamed('UnitsStale');
    const { AlarmDescription: _d, ...rest } = p;
    expect(rest).toEqual({
      Namespace: 'AtlassianAccessCollector',
      MetricName: 'StaleUnits',
      Dimensions: [{ Name: 'service', Value: config.aws.stackName }],
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
  });

  it('freshness: nothing published in 26 hourly periods (missing data breaches: no run at all) alarms', () => {
    const { AlarmDescription: _d, ...rest } = alarmNamed('NothingPublished');
    expect(rest).toEqual({
      Namespace: 'AtlassianAccessCollector',
      MetricName: 'UnitsPublished',
      Dimensions: [{ Name: 'service', Value: config.aws.stackName }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [topicRef()],
    });
  });

  it('a failed, timed-out or aborted run alarms on its own, 5-minute periods back to OK by themselves (a stale unit does not hide it)', () => {
    const p = alarmNamed('RunFailed');
    const smId = onlyResource(template, 'AWS::StepFunctions::StateMachine');
    const metric = (id: string, name: string) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: 'AWS/States', MetricName: name, Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: smId } }] }, Period: 300, Stat: 'Sum' },
      ReturnData: false,
    });
    expect(p).toMatchObject({ EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', AlarmActions: [topicRef()] });
    expect(p.Metrics).toEqual([
      { Expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)', Id: 'expr_1', Label: 'runs that did not succeed', ReturnData: true },
      metric('failed', 'ExecutionsFailed'),
      metric('timedOut', 'ExecutionsTimedOut'),
      metric('aborted', 'ExecutionsAborted'),
    ]);
  });

  it('collect and finalize emit metrics as the alarms select them (namespace, service = stack name)', () => {
    for (const handler of ['collect', 'finalize']) {
      const fn = ofType('AWS::Lambda::Function').find(([, r]) => String(r.Properties.Description).endsWith(`: ${handler}`));
      expect((fn?.[1].Properties.Environment as { Variables: Json }).Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: config.aws.stackName, POWERTOOLS_METRICS_NAMESPACE: 'AtlassianAccessCollector' });
    }
  });

  it('a dashboard: alarms, runs by outcome, units published/failed/stale, and per unit rows, requests, retries, 429s, duration, invocations', () => {
    const [, dash] = ofType('AWS::CloudWatch::Dashboard')[0] ?? [];
    expect(dash?.Properties.DashboardName).toBe(`${config.aws.stackName}-operations`);
    // The body is a Fn::Join (the state machine's ARN is a token): join its strings, tokens as a placeholder.
    const join = dash?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
    const body = JSON.parse(join['Fn::Join'][1].map((x) => (typeof x === 'string' ? x : 'TOKEN')).join('')) as {
      widgets: { properties: { title: string; metrics?: unknown[][]; alarms?: unknown[] } }[];
    };
    const byTitle = Object.fromEntries(body.widgets.map((w) => [w.properties.title, w.properties]));
    expect(Object.keys(byTitle)).toEqual(['Alarms', 'Runs', 'Units', 'Rows per unit', 'Requests per unit', 'Retries per unit', '429 answers per unit', 'Collect seconds per unit', 'Invocations per unit']);
    expect(byTitle.Alarms?.alarms).toHaveLength(3);
    const perUnit = { 'Rows per unit': 'UnitRows', 'Requests per unit': 'UnitRequests', 'Retries per unit': 'UnitRetries', '429 answers per unit': 'UnitThrottled', 'Collect seconds per unit': 'UnitDurationSeconds', 'Invocations per unit': 'UnitInvocations' };
    for (const [title, m] of Object.entries(perUnit)) {
      expect(JSON.stringify(byTitle[title]?.metrics), title).toContain(`SEARCH('{AtlassianAccessCollector,Unit,service} MetricName=\\"${m}\\" service=\\"${config.aws.stackName}\\"', 'Maximum', 86400)`);
    }
    expect(JSON.stringify(byTitle.Runs?.metrics)).toMatch(/ExecutionsSucceeded.*ExecutionsFailed.*ExecutionsTimedOut.*ExecutionsAborted/);
    expect(JSON.stringify(byTitle.Units?.metrics)).toMatch(/UnitsPublished.*UnitsFailed.*StaleUnits/);
  });

  it('no e-mail, no subscription', () => {
    const { alarmEmail: _e, ...rest } = config;
    synthStack(rest as Config).template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('enterprise options are off by default (aws.kms, network, lakeFormation, tags, boundary, qualifier, team workgroups)', () => {
  it('no customer-managed key beyond the alarm topic’s: SSE-S3 data, AWS-managed keys for secrets, logs and results', () => {
    expect(ofType('AWS::KMS::Key').map(([id]) => id)).toEqual([expect.stringMatching(/^AlarmsTopicKey/)]);
    for (const [, s] of ofType('AWS::SecretsManager::Secret')) expect(s.Properties.KmsKeyId).toBeUndefined();
    for (const [, g] of ofType('AWS::Logs::LogGroup')) expect(g.Properties.KmsKeyId).toBeUndefined();
    expect(JSON.stringify(resources)).not.toContain('kms:ViaService');
  });

  it('no VPC, no Lake Formation, no tags, no boundary, the default bootstrap, one workgroup', () => {
    for (const [, f] of ofType('AWS::Lambda::Function')) expect(f.Properties.VpcConfig).toBeUndefined();
    expect(Object.values(resources).filter((r) => r.Type.startsWith('AWS::EC2::') || r.Type.startsWith('AWS::LakeFormation::'))).toEqual([]);
    expect(Object.values(resources).filter((r) => r.Properties?.Tags !== undefined)).toEqual([]);
    for (const [, r] of ofType('AWS::IAM::Role')) expect(r.Properties.PermissionsBoundary).toBeUndefined();
    expect((template.toJSON() as { Parameters: { BootstrapVersion: Json } }).Parameters.BootstrapVersion.Default).toBe('/cdk-bootstrap/hnb659fds/version');
    expect(ofType('AWS::Athena::WorkGroup')).toHaveLength(1);
  });
});

describe('validation names the prop or the field', () => {
  const units = () => deployedUnits(config);
  it('construct props', () => {
    const stack = new Stack(testApp(), 'S');
    const data = new CollectorBucket(stack, 'D');
    const secrets = new UnitSecrets(stack, 'Sec', { units: units() });
    expect(() => new CollectorBucket(stack, 'D2', { snapshotRetentionDays: 0 })).toThrow('CollectorBucketProps.snapshotRetentionDays must be an integer between 1 and 36500 (got 0)');
    expect(() => new CollectorFunctions(stack, 'F', { data, secrets, collectTimeout: Duration.seconds(30) })).toThrow('CollectorFunctionsProps.collectTimeout');
    const fns = new CollectorFunctions(stack, 'F2', { data, secrets });
    const base = { planFunction: fns.plan, collectFunction: fns.collect, finalizeFunction: fns.finalize, reportFunction: fns.report, dataBucket: data.bucket, collectTimeout: fns.collectTimeout, units: units() };
    expect(() => new CollectorWorkflow(stack, 'W', { ...base, maxConcurrency: 0 })).toThrow('CollectorWorkflowProps.maxConcurrency must be an integer between 1 and 1000 (got 0)');
    expect(() => new CollectorWorkflow(stack, 'W4', { ...base, stepsPerExecution: 5000 })).toThrow('CollectorWorkflowProps.stepsPerExecution must be an integer between 2 and 2000 (got 5000)');
    expect(() => new CollectorWorkflow(stack, 'W2', { ...base, units: [{ ...units()[0]!, auth: { kind: 'basic' } }] })).toThrow('CollectorWorkflowProps.units');
    expect(() => new CollectorSchedule(stack, 'Sc', { stateMachine: new CollectorWorkflow(stack, 'W3', base).stateMachine, expression: 'daily' })).toThrow(
      "CollectorScheduleProps.expression must be cron(...), rate(...) or at(...) (got 'daily')",
    );
    expect(() => new AccessCatalog(stack, 'C', { data, tables: [], orgs: ['acme'] })).toThrow('AccessCatalogProps.tables');
    expect(() => new UnitSecrets(stack, 'S2', { units: [{ ...units()[0]!, auth: { kind: 'bearer', secretName: 'x' } }, { ...units()[1]!, auth: { kind: 'basic', secretName: 'x' } }] })).toThrow(
      "secret 'x' is used with auth kinds 'bearer' and 'basic'",
    );
  });

  it('config fields', () => {
    const good = JSON.parse(JSON.stringify(config)) as Json & { organizations: { id: string; units: Json[] }[] };
    const bad = (mutate: (c: typeof good) => void) => {
      const c = JSON.parse(JSON.stringify(good)) as typeof good;
      mutate(c);
      return () => parseConfig(c, 'my.json');
    };
    expect(bad((c) => ((c.organizations[0]!.units[0] as Json).siteUrl = 'acme.atlassian.net'))).toThrow(/^my\.json: organizations\.0\.units\.0\.siteUrl: siteUrl.* must be an http\(s\) URL/);
    expect(bad((c) => (c.concurrency = 0))).toThrow('my.json: concurrency:');
    expect(bad((c) => (c.organizations[1]!.id = 'acme'))).toThrow("my.json: organizations.1.id: organization 'acme' is listed twice");
    expect(bad((c) => (c.schedule = 'every day'))).toThrow('my.json: schedule:');
    expect(bad((c) => ((c.aws as Json).secrets = 'maybe'))).toThrow('my.json: aws.secrets:');
    expect(bad((c) => ((c.aws as Json).kms = { mode: 'existing', keyArn: 'alias/mine' }))).toThrow('my.json: aws.kms.keyArn: aws.kms.keyArn: a KMS key ARN');
    expect(bad((c) => ((c.aws as Json).network = { mode: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetIds: [] }))).toThrow('my.json: aws.network.subnetIds:');
    expect(bad((c) => ((c.aws as Json).lakeFormation = { analystPrincipalArns: ['Auditor'] }))).toThrow('aws.lakeFormation.analystPrincipalArns: IAM role or user ARNs');
    expect(bad((c) => ((c.aws as Json).tags = { 'aws:owner': 'me' }))).toThrow("aws.tags: 'aws:owner' is not a tag key");
    expect(bad((c) => ((c.aws as Json).bootstrapQualifier = 'Custom-Qualifier'))).toThrow('aws.bootstrapQualifier: 1 to 10 lower-case letters and digits');
    expect(bad((c) => (c.organizations[0]!.units[1] = c.organizations[0]!.units[0]!))).toThrow('my.json: organizations.0.units.1: jira of acme.atlassian.net is already a unit');
  });
});
