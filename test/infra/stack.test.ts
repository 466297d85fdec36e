import { Duration, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedUnits, parseConfig } from '../../infra/config.ts';
import { AccessCatalog } from '../../infra/constructs/access-catalog.ts';
import { CollectorFunctions } from '../../infra/constructs/collector-functions.ts';
import { CollectorSchedule } from '../../infra/constructs/collector-schedule.ts';
import { CollectorWorkflow, INTERRUPTED_ERRORS, LAMBDA_SERVICE_ERRORS } from '../../infra/constructs/collector-workflow.ts';
import { CollectorBucket } from '../../infra/constructs/data-bucket.ts';
import { UnitSecrets } from '../../infra/constructs/unit-secrets.ts';
import type { Config } from '../../shared/config.ts';
import { emptyStats } from '../../shared/contract.ts';
import { loadQuestions } from '../../shared/sql/questions.ts';
import { STATE, UNITS_FAILED_ERROR } from '../../shared/workflow/names.ts';
import { dataBucketId, exampleConfig, onlyResource, stateMachineDefinition, synthStack, testApp } from './support/synth.ts';

type Json = Record<string, unknown>;

let config: Config;
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
  const policy = ofType('AWS::IAM::Policy').find(([, r]) => (r.Properties.Roles as Json[]).some((x) => x.Ref === roleId));
  return (policy?.[1].Properties.PolicyDocument as { Statement: Json[] }).Statement;
}

const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]] });
const logsAndXray = (logsId: string) => [
  { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } },
  { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
];
function logGroupOf(handler: string): string {
  const fn = ofType('AWS::Lambda::Function').find(([, r]) => String(r.Properties.Description).endsWith(`: ${handler}`));
  return ((fn?.[1].Properties.LoggingConfig as Json).LogGroup as Json).Ref as string;
}

beforeAll(() => {
  config = exampleConfig();
  ({ template } = synthStack(config));
  resources = (template.toJSON() as { Resources: typeof resources }).Resources;
  bucketId = dataBucketId(template);
});

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
    expect(fns).toHaveLength(3);
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
      Description: 'Atlassian access collector: plan',
      MemorySize: 256,
      Timeout: 30,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('collect may write only staging and read only the unit secrets (least privilege)', () => {
    const secretRefs = ofType('AWS::SecretsManager::Secret').map(([id]) => id);
    expect(functionStatements('collect')).toEqual([
      ...logsAndXray(logGroupOf('collect')),
      { Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('data/_staging/') },
      { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['data/_staging/*'] } }, Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: secretRefs.map((id) => ({ Ref: id })) },
    ]);
  });

  it('finalize may publish under data/ and put manifests, no secrets', () => {
    expect(functionStatements('finalize')).toEqual([
      ...logsAndXray(logGroupOf('finalize')),
      { Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('data/') },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects('manifests/') },
      { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['data/*'] } }, Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
    ]);
  });

  it('plan has no data access at all', () => {
    expect(functionStatements('plan')).toEqual(logsAndXray(logGroupOf('plan')));
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

  it('runs plan → Map (bounded) → finalize → fail if any unit failed, with the exact Retry and Catch', () => {
    const def = stateMachineDefinition(template) as { StartAt: string; TimeoutSeconds: number; States: Record<string, Json> };
    expect(def.StartAt).toBe(STATE.plan);
    expect(def.TimeoutSeconds).toBe(23 * 3600);
    const s = def.States;
    expect(Object.keys(s).sort()).toEqual([STATE.plan, STATE.map, STATE.finalize, STATE.anyFailed, STATE.runFailed, STATE.runSucceeded].sort());

    expect(s[STATE.plan]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Next: STATE.map,
      ResultSelector: { 'run.$': '$.Payload.run', 'units.$': '$.Payload.units' },
      Parameters: {
        FunctionName: expect.stringContaining(':function:'),
        Payload: { units: deployedUnits(config), execution: { 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime' }, 'request.$': '$' },
      },
    });
    expect(s[STATE.plan]?.Retry).toEqual([serviceRetry]);
    expect(s[STATE.plan]?.Catch).toBeUndefined();

    const map = s[STATE.map] as Json & { ItemProcessor: { StartAt: string; States: Record<string, Json> } };
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.units',
      MaxConcurrency: config.concurrency,
      ResultPath: '$.results',
      Next: STATE.finalize,
      ItemSelector: { 'run.$': '$.run', 'unit.$': '$$.Map.Item.Value', stats: emptyStats() },
    });
    const it = map.ItemProcessor.States;
    expect(map.ItemProcessor.StartAt).toBe(STATE.collect);
    expect(it[STATE.collect]).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: expect.stringContaining(':function:'), 'Payload.$': '$' },
      ResultSelector: { 'done.$': '$.Payload.done', 'checkpoint.$': '$.Payload.checkpoint', 'stats.$': '$.Payload.stats', 'waitSeconds.$': '$.Payload.waitSeconds' },
      ResultPath: '$.result',
      TimeoutSeconds: config.lambda.timeoutSeconds + 60,
      Retry: [serviceRetry, interruptedRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.failed }],
      Next: STATE.done,
    });
    expect(it[STATE.done]).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.result.done', BooleanEquals: true, Next: STATE.collected }],
      Default: STATE.pause,
    });
    expect(it[STATE.pause]).toEqual({ Type: 'Wait', SecondsPath: '$.result.waitSeconds', Next: STATE.next });
    expect(it[STATE.next]).toEqual({
      Type: 'Pass',
      Parameters: { 'run.$': '$.run', 'unit.$': '$.unit', 'checkpoint.$': '$.result.checkpoint', 'stats.$': '$.result.stats' },
      Next: STATE.collect,
    });
    expect(it[STATE.collected]).toEqual({ Type: 'Pass', Parameters: { status: 'collected', 'unit.$': '$.unit', 'stats.$': '$.result.stats' }, End: true });
    expect(it[STATE.failed]).toEqual({ Type: 'Pass', Parameters: { status: 'failed', 'unit.$': '$.unit', 'stats.$': '$.stats', 'error.$': '$.error' }, End: true });

    expect(s[STATE.finalize]).toMatchObject({
      Type: 'Task',
      Parameters: { Payload: { 'run.$': '$.run', 'results.$': '$.results' } },
      OutputPath: '$.Payload',
      Next: STATE.anyFailed,
      Retry: [serviceRetry, interruptedRetry],
    });
    expect(s[STATE.finalize]?.Catch).toBeUndefined();
    expect(s[STATE.anyFailed]).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.failed', NumericGreaterThan: 0, Next: STATE.runFailed }],
      Default: STATE.runSucceeded,
    });
    expect(s[STATE.runFailed]).toEqual({ Type: 'Fail', Error: UNITS_FAILED_ERROR, CausePath: '$.message' });
    // No null anywhere in the definition (CDK would drop it and a later path would fail with States.Runtime).
    expect(JSON.stringify(def)).not.toContain('null');
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
    expect(doc).not.toMatch(/"Resource":"\*"/);
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

  it('no e-mail, no subscription', () => {
    const { alarmEmail: _e, ...rest } = config;
    synthStack(rest as Config).template.resourceCountIs('AWS::SNS::Subscription', 0);
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
    const base = { planFunction: fns.plan, collectFunction: fns.collect, finalizeFunction: fns.finalize, collectTimeout: fns.collectTimeout, units: units() };
    expect(() => new CollectorWorkflow(stack, 'W', { ...base, maxConcurrency: 0 })).toThrow('CollectorWorkflowProps.maxConcurrency must be an integer between 1 and 40 (got 0)');
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
    expect(bad((c) => (c.organizations[0]!.units[1] = c.organizations[0]!.units[0]!))).toThrow('my.json: organizations.0.units.1: jira of acme.atlassian.net is already a unit');
  });
});
