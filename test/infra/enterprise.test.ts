import { CfnResource, TagManager } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../infra/config.ts';
import { REPO_ROOT } from '../../infra/constructs/collector-functions.ts';
import type { CollectorStack } from '../../infra/stack.ts';
import { cfnLintErrors } from './support/cfn-lint.ts';
import { dataBucketId, synthStack } from './support/synth.ts';

/**
 * The enterprise options of `aws` (issue 16), each in its `create` flavour in one stack and its `existing` flavour
 * in another (two synths: each costs seconds). The defaults (every option off) are asserted in stack.test.ts.
 */

type Json = Record<string, unknown>;
interface Res {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
}

const ACCOUNT = { Ref: 'AWS::AccountId' };
const REGION = { Ref: 'AWS::Region' };
const PARTITION = { Ref: 'AWS::Partition' };
const via = (service: string) => ({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`${service}.`, REGION, '.amazonaws.com']] } } });
const ANALYST = 'arn:aws:iam::123456789012:role/Auditor';
const BOUNDARY = 'arn:aws:iam::123456789012:policy/TeamBoundary';
const TAGS = { CostCenter: '1234', Owner: 'secops' };
const EXISTING_KEY = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const units = [
  { product: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic' } },
  { product: 'confluence', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'oauth2' } },
];

interface Synth {
  stack: CollectorStack;
  template: Template;
  resources: Record<string, Res>;
}
let created: Synth;
let existing: Synth;

function synth(aws: Json, parquet: boolean): Synth {
  const config = parseConfig({ organizations: [{ id: 'acme', units }], alarmEmail: 'secops@example.com', aws }, 'enterprise test config');
  const { stack, template } = synthStack(config, parquet ? { parquet: true } : {});
  return { stack, template, resources: (template.toJSON() as { Resources: Record<string, Res> }).Resources };
}

beforeAll(() => {
  created = synth(
    {
      stackName: 'access-prod',
      kms: { mode: 'create' },
      network: { mode: 'create', maxAzs: 2 },
      lakeFormation: { analystPrincipalArns: [ANALYST] },
      tags: TAGS,
      permissionsBoundary: BOUNDARY,
      bootstrapQualifier: 'secops',
      analystWorkGroups: ['audit', 'security'],
    },
    true,
  );
  existing = synth(
    {
      secrets: 'existing',
      kms: { mode: 'existing', keyArn: EXISTING_KEY },
      network: { mode: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], securityGroupIds: ['sg-0123456789abcdef0'] },
      permissionsBoundary: 'TeamBoundary',
    },
    false,
  );
}, 600_000);

function ofType(s: Synth, type: string): [string, Res][] {
  return Object.entries(s.resources).filter(([, r]) => r.Type === type);
}
function only(s: Synth, type: string): [string, Res] {
  const all = ofType(s, type);
  expect(all, type).toHaveLength(1);
  return all[0] as [string, Res];
}
function fnOf(s: Synth, handler: string): Res {
  const fn = ofType(s, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties.Description).endsWith(`: ${handler}`));
  if (!fn) throw new Error(`no ${handler} function`);
  return fn[1];
}
/** Statements of the role's inline policy that mention KMS. */
function kmsStatements(s: Synth, roleId: string): Json[] {
  const policy = ofType(s, 'AWS::IAM::Policy').find(([, r]) => (r.Properties.Roles as Json[]).some((x) => x.Ref === roleId));
  const statements = ((policy?.[1].Properties.PolicyDocument as { Statement: Json[] } | undefined)?.Statement ?? []);
  return statements.filter((st) => JSON.stringify(st.Action).includes('kms:'));
}
const roleIdOf = (fn: Res) => ((fn.Properties.Role as Json)['Fn::GetAtt'] as string[])[0] as string;

describe('aws.kms create', () => {
  it('creates one rotating, retained key whose policy admits only this account’s CloudWatch Logs and alarms beside IAM and the Secrets Manager grants', () => {
    const [keyId, key] = only(created, 'AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    const collectRole = roleIdOf(fnOf(created, 'collect'));
    expect((key.Properties.KeyPolicy as { Statement: Json[] }).Statement).toEqual([
      { Action: 'kms:*', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', PARTITION, ':iam::', ACCOUNT, ':root']] } }, Resource: '*' },
      {
        Sid: 'CloudWatchLogsOfThisAccount',
        Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', PARTITION, ':logs:', REGION, ':', ACCOUNT, ':log-group:*']] } } },
        Effect: 'Allow',
        Principal: { Service: { 'Fn::Join': ['', ['logs.', REGION, '.amazonaws.com']] } },
        Resource: '*',
      },
      {
        Sid: 'CloudWatchAlarmsOfThisAccount',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', PARTITION, ':cloudwatch:', REGION, ':', ACCOUNT, ':alarm:*']] } },
        },
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Resource: '*',
      },
      // CDK's Secret: the account may use the key through Secrets Manager (IAM still decides who).
      {
        Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Condition: via('secretsmanager'),
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', PARTITION, ':iam::', ACCOUNT, ':root']] } },
        Resource: '*',
      },
      // CDK's Secret.grantRead: the collect role decrypts the secrets through Secrets Manager.
      { Action: 'kms:Decrypt', Condition: via('secretsmanager'), Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [collectRole, 'Arn'] } }, Resource: '*' },
    ]);
    expect(created.template.toJSON().Outputs.KmsKeyArn.Value).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  it('encrypts the data bucket (SSE-KMS, bucket key), the secrets, every log group, the alarm topic and every workgroup’s results with it', () => {
    const [keyId] = only(created, 'AWS::KMS::Key');
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    const data = created.resources[dataBucketId(created.template)] as Res;
    expect(data.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] });
    // S3 server access logging delivers only to SSE-S3 buckets.
    const logs = ofType(created, 'AWS::S3::Bucket').find(([id]) => id !== dataBucketId(created.template))?.[1];
    expect(logs?.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    const secrets = ofType(created, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(2);
    for (const [, s] of secrets) expect(s.Properties.KmsKeyId).toEqual(keyArn);
    const groups = ofType(created, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(6); // plan, collect, finalize, report, workflow, VPC flow logs
    for (const [id, g] of groups) expect(g.Properties.KmsKeyId, id).toEqual(keyArn);
    expect(only(created, 'AWS::SNS::Topic')[1].Properties.KmsMasterKeyId).toEqual(keyArn);
    const workGroups = ofType(created, 'AWS::Athena::WorkGroup');
    expect(workGroups).toHaveLength(3);
    for (const [, w] of workGroups) {
      expect((w.Properties.WorkGroupConfiguration as { ResultConfiguration: Json }).ResultConfiguration.EncryptionConfiguration).toEqual({ EncryptionOption: 'SSE_KMS', KmsKey: keyArn });
    }
  });

  it('gives each role exactly the key actions it needs, only through S3 or Secrets Manager', () => {
    const [keyId] = only(created, 'AWS::KMS::Key');
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    const s3 = { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: via('s3'), Effect: 'Allow', Resource: keyArn };
    // Collect: staged parts (multipart uploads need Decrypt too); OAuth 2.0 secrets written back.
    expect(kmsStatements(created, roleIdOf(fnOf(created, 'collect')))).toEqual([s3, { Action: 'kms:GenerateDataKey', Condition: via('secretsmanager'), Effect: 'Allow', Resource: keyArn }]);
    expect(kmsStatements(created, roleIdOf(fnOf(created, 'finalize')))).toEqual([s3]);
    // Report: reads the tables through Athena, writes Athena's results and the report (merged into one statement).
    expect(kmsStatements(created, roleIdOf(fnOf(created, 'report')))).toEqual([s3]);
    // Plan: the run's site list and the date's run lock in the SSE-KMS bucket.
    expect(kmsStatements(created, roleIdOf(fnOf(created, 'plan')))).toEqual([s3]);
    for (const [id, p] of ofType(created, 'AWS::IAM::ManagedPolicy')) {
      const statements = (p.Properties.PolicyDocument as { Statement: Json[] }).Statement.filter((st) => JSON.stringify(st.Action).includes('kms:'));
      expect(statements, id).toEqual([s3]);
    }
  });
});

describe('aws.kms existing', () => {
  it('creates no key; uses the given one for the bucket and topic, and grants decrypt of the referenced secrets through Secrets Manager', () => {
    expect(ofType(existing, 'AWS::KMS::Key')).toEqual([]);
    const data = existing.resources[dataBucketId(existing.template)] as Res;
    expect(data.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: EXISTING_KEY } }] });
    expect(only(existing, 'AWS::SNS::Topic')[1].Properties.KmsMasterKeyId).toBe(EXISTING_KEY);
    for (const [, g] of ofType(existing, 'AWS::Logs::LogGroup')) expect(g.Properties.KmsKeyId).toBe(EXISTING_KEY);
    expect(kmsStatements(existing, roleIdOf(fnOf(existing, 'collect')))).toEqual([
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: via('s3'), Effect: 'Allow', Resource: EXISTING_KEY },
      // Decrypt to read the referenced secrets, GenerateDataKey to write back the OAuth 2.0 one (merged by minimizePolicies).
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: via('secretsmanager'), Effect: 'Allow', Resource: EXISTING_KEY },
    ]);
  });
});

describe('aws.network', () => {
  it('create: only collect runs in the private subnets of a VPC with one NAT gateway and Elastic IP per zone, whose IPs are an output', () => {
    const subnets = ofType(created, 'AWS::EC2::Subnet').filter(([, r]) => JSON.stringify(r.Properties.Tags).includes('Private'));
    expect(subnets).toHaveLength(2);
    expect((fnOf(created, 'collect').Properties.VpcConfig as Json).SubnetIds).toEqual(subnets.map(([id]) => ({ Ref: id })));
    expect(fnOf(created, 'plan').Properties.VpcConfig).toBeUndefined();
    expect(fnOf(created, 'finalize').Properties.VpcConfig).toBeUndefined();
    const eips = ofType(created, 'AWS::EC2::EIP');
    const nats = ofType(created, 'AWS::EC2::NatGateway');
    expect(eips).toHaveLength(2);
    expect(nats.map(([, n]) => n.Properties.AllocationId)).toEqual(eips.map(([id]) => ({ 'Fn::GetAtt': [id, 'AllocationId'] })));
    expect(created.template.toJSON().Outputs.EgressIps.Value).toEqual({ 'Fn::Join': [',', eips.map(([id]) => ({ 'Fn::GetAtt': [id, 'PublicIp'] }))] });
    // Staged parts reach S3 through the free gateway endpoint, not the NAT; flow logs on.
    expect(only(created, 'AWS::EC2::VPCEndpoint')[1].Properties.VpcEndpointType).toBe('Gateway');
    expect(only(created, 'AWS::EC2::FlowLog')[1].Properties.TrafficType).toBe('ALL');
  });

  it('existing: collect runs in the given subnets with the given security groups; nothing of EC2 is created', () => {
    expect(fnOf(existing, 'collect').Properties.VpcConfig).toEqual({ SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], SecurityGroupIds: ['sg-0123456789abcdef0'] });
    expect(Object.values(existing.resources).filter((r) => r.Type.startsWith('AWS::EC2::'))).toEqual([]);
    expect(existing.template.toJSON().Outputs.EgressIps).toBeUndefined();
  });
});

describe('aws.lakeFormation', () => {
  it('registers data/ with a role of its own and grants the analyst, the report role and the finalize role (Parquet) DESCRIBE and SELECT', () => {
    const [roleId] = ofType(created, 'AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('lakeformation.amazonaws.com')) ?? [];
    expect(only(created, 'AWS::LakeFormation::Resource')[1].Properties).toEqual({
      ResourceArn: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [dataBucketId(created.template), 'Arn'] }, '/data']] },
      UseServiceLinkedRole: false,
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
    const finalizeRole = { 'Fn::GetAtt': [roleIdOf(fnOf(created, 'finalize')), 'Arn'] };
    const reportRole = { 'Fn::GetAtt': [roleIdOf(fnOf(created, 'report')), 'Arn'] };
    const grants = ofType(created, 'AWS::LakeFormation::PrincipalPermissions').map(([, r]) => r.Properties);
    const expected = (principal: unknown) => [
      { Catalog: ACCOUNT, Principal: { DataLakePrincipalIdentifier: principal }, Resource: { Database: { CatalogId: ACCOUNT, Name: 'access_prod' } }, Permissions: ['DESCRIBE'], PermissionsWithGrantOption: [] },
      { Catalog: ACCOUNT, Principal: { DataLakePrincipalIdentifier: principal }, Resource: { Table: { CatalogId: ACCOUNT, DatabaseName: 'access_prod', TableWildcard: {} } }, Permissions: ['SELECT', 'DESCRIBE'], PermissionsWithGrantOption: [] },
    ];
    expect(grants).toEqual([...expected(ANALYST), ...expected(reportRole), ...expected(finalizeRole)]);
    // Athena asks Lake Formation for credentials on the caller's behalf: every analyst policy, report and finalize may.
    // (CDK merges it with other Resource "*" statements, such as the Athena console's list actions.)
    for (const [id, p] of ofType(created, 'AWS::IAM::ManagedPolicy')) {
      const statements = (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Effect: string; Resource: unknown }[] }).Statement;
      const allows = statements.some((s) => s.Effect === 'Allow' && s.Resource === '*' && [s.Action].flat().includes('lakeformation:GetDataAccess'));
      expect(allows, id).toBe(true);
    }
  });
});

describe('tags, permissions boundary, bootstrap qualifier, names', () => {
  it('every taggable resource carries aws.tags', () => {
    const taggable = created.stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource && TagManager.isTaggable(c));
    expect(taggable.length).toBeGreaterThan(30);
    for (const c of taggable) {
      const raw = (created.resources[created.stack.getLogicalId(c)] as Res).Properties.Tags;
      const tags = Array.isArray(raw) ? Object.fromEntries((raw as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value])) : raw;
      expect(tags, c.node.path).toMatchObject(TAGS);
    }
  });

  it('every role has the permissions boundary, by ARN or by name', () => {
    const roles = ofType(created, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(7);
    for (const [id, r] of roles) expect(r.Properties.PermissionsBoundary, id).toBe(BOUNDARY);
    for (const [id, r] of ofType(existing, 'AWS::IAM::Role')) {
      expect(r.Properties.PermissionsBoundary, id).toEqual({ 'Fn::Join': ['', ['arn:', PARTITION, ':iam::', ACCOUNT, ':policy/TeamBoundary']] });
    }
  });

  it('a bootstrap qualifier points the template at that bootstrap’s version parameter', () => {
    expect(created.template.toJSON().Parameters.BootstrapVersion.Default).toBe('/cdk-bootstrap/secops/version');
  });

  it('the database, workgroup, state machine and secrets are named after the stack, so two stacks coexist in one account', () => {
    expect(only(created, 'AWS::Glue::Database')[1].Properties.DatabaseInput).toMatchObject({ Name: 'access_prod' });
    expect(ofType(created, 'AWS::Athena::WorkGroup').map(([, w]) => w.Properties.Name)).toEqual(['access-prod', 'access-prod-audit', 'access-prod-security']);
    expect(only(created, 'AWS::StepFunctions::StateMachine')[1].Properties.StateMachineName).toBe('access-prod-collect');
    for (const [, s] of ofType(created, 'AWS::SecretsManager::Secret')) expect(String(s.Properties.Name)).toMatch(/^access-prod\/acme\//);
  });
});

describe('aws.analystWorkGroups', () => {
  it('each team’s workgroup writes under its own prefix and its policy reads no other team’s results', () => {
    const bucket = dataBucketId(created.template);
    const location = (w: Res) => ((w.Properties.WorkGroupConfiguration as { ResultConfiguration: { OutputLocation: unknown } }).ResultConfiguration.OutputLocation);
    expect(ofType(created, 'AWS::Athena::WorkGroup').map(([, w]) => location(w))).toEqual(
      ['_shared', 'audit', 'security'].map((p) => ({ 'Fn::Join': ['', ['s3://', { Ref: bucket }, `/athena-results/${p}/`]] })),
    );
    const policies = Object.fromEntries(ofType(created, 'AWS::IAM::ManagedPolicy').map(([id, p]) => [id, JSON.stringify(p.Properties.PolicyDocument)]));
    const audit = Object.entries(policies).find(([id]) => id.includes('Audit'))?.[1] ?? '';
    expect(audit).toContain('/athena-results/audit/*');
    expect(audit).toContain('workgroup/access-prod-audit"');
    expect(audit).not.toMatch(/athena-results\/(security|_shared)\/|athena-results\/\*/);
    const outputs = created.template.toJSON().Outputs as Json;
    expect(Object.keys(outputs).filter((k) => k.startsWith('AnalystPolicyArn'))).toEqual(['AnalystPolicyArn', 'AnalystPolicyArnAudit', 'AnalystPolicyArnSecurity']);
  });
});

describe('collector.config.production.example.json', () => {
  it('is a valid config that turns every enterprise option on', () => {
    const file = 'collector.config.production.example.json';
    const config = parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')), file);
    expect(Object.keys(config.aws).sort()).toEqual(
      ['analystWorkGroups', 'bootstrapQualifier', 'kms', 'lakeFormation', 'network', 'permissionsBoundary', 'scheduleTimeZone', 'secrets', 'stackName', 'tags'].sort(),
    );
  });
});

describe('compliance of both combinations', () => {
  it('cdk-nag AwsSolutions reports no unacknowledged finding', () => {
    for (const s of [created, existing]) {
      const report = new AwsSolutionsChecks().validateScope(s.stack);
      expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    }
  });

  // cfn-lint takes a second or two per template on an idle machine; the generous timeout is for a loaded one.
  it('cfn-lint reports no error on the create combination', async () => {
    expect(await cfnLintErrors(created.template.toJSON())).toEqual([]);
  }, 300_000);

  it('cfn-lint reports no error on the existing combination', async () => {
    expect(await cfnLintErrors(existing.template.toJSON())).toEqual([]);
  }, 300_000);
});
