import { Aws, Duration, RemovalPolicy, Stack, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import type { KmsConfig } from '../../shared/config.ts';

export interface CollectorKeyProps {
  /** `create` a key, or use an `existing` one by ARN. */
  readonly config: KmsConfig;
  /** What happens to a created key when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The customer-managed KMS key (`aws.kms`) of the data bucket, the secrets, the log groups, the alarm topic and
 * the Athena results. A created key rotates yearly; beside the account's IAM policies (the default key policy
 * statement), only two services may use it, each scoped to this account:
 * - CloudWatch Logs, for this account's and region's log groups (encryption-context condition), as in
 *   "Encrypt log data in CloudWatch Logs using AWS Key Management Service" (CloudWatch Logs User Guide);
 * - CloudWatch alarms publishing to the encrypted topic, with `aws:SourceAccount`/`aws:SourceArn`
 *   (confused-deputy prevention, "Amazon SNS data encryption" and IAM User Guide "The confused deputy problem").
 * Every role gets exactly the key actions it needs through its own IAM policy (see the grant methods of the
 * constructs), with `kms:ViaService` naming the service that may use the key on its behalf.
 */
export class CollectorKey extends Construct {
  readonly key: kms.IKey;
  /** False for an existing key: its key policy is yours (the README lists the statements it needs). */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: CollectorKeyProps) {
    super(scope, id);
    if (props.config.mode === 'existing') {
      this.key = kms.Key.fromKeyArn(this, 'Key', props.config.keyArn);
      this.created = false;
      return;
    }
    const key = new kms.Key(this, 'Key', {
      description: `Atlassian access collector (${Stack.of(this).stackName}): data, secrets, logs, alarm topic, Athena results`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
      }),
    );
    key.addToResourcePolicy(cloudWatchAlarmsStatement());
    this.key = key;
    this.created = true;
  }
}

/**
 * Key policy statement that lets CloudWatch alarms of this account publish to a topic encrypted with the key,
 * and no other account's alarms (confused deputy: `aws:SourceAccount` and `aws:SourceArn`).
 */
export function cloudWatchAlarmsStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'CloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    },
  });
}

/**
 * IAM statement granting `actions` on `key` only when `service` (e.g. `s3`, `secretsmanager`) calls KMS on the
 * principal's behalf (`kms:ViaService`, AWS KMS Developer Guide "kms:ViaService").
 */
export function keyViaService(key: kms.IKey, service: string, actions: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } },
  });
}

/**
 * Aspect: every CloudWatch Logs log group in scope that names no key is encrypted with `key` (the Lambdas', the
 * workflow's and the VPC flow logs' groups, wherever they are declared).
 */
export class EncryptLogGroups implements IAspect {
  constructor(private readonly key: kms.IKey) {}

  visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup && node.kmsKeyId === undefined) node.kmsKeyId = this.key.keyArn;
  }
}
