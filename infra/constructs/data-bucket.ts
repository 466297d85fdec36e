import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ATHENA_RESULTS_PREFIX, DATA_PREFIX, MANIFEST_PREFIX, STAGING_PREFIX, STATE_PREFIX } from '../../shared/workflow/names.ts';
import { keyViaService } from './encryption-key.ts';
import { requireInt } from './validate.ts';

export interface CollectorBucketProps {
  /** Name of the data bucket. @default a name CloudFormation generates */
  readonly bucketName?: string;
  /** Days a published snapshot (and a run manifest) is kept. @default 400 */
  readonly snapshotRetentionDays?: number;
  /** Days staged parts of a failed or abandoned run are kept (for debugging). @default 7 */
  readonly stagingExpirationDays?: number;
  /** Days a replaced or deleted object version is kept (recovery window). @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days Athena query results are kept. @default 30 */
  readonly athenaResultsExpirationDays?: number;
  /** Days S3 server access logs are kept. @default 365 */
  readonly accessLogsExpirationDays?: number;
  /** What happens to the buckets when the stack is deleted (a non-empty bucket cannot be destroyed). @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Customer-managed key of the data bucket (SSE-KMS with an S3 Bucket Key, so S3 asks KMS for a bucket-level
   * key rather than once per object). The access-log bucket stays SSE-S3: S3 server access logging only
   * delivers to SSE-S3 buckets ("Enabling Amazon S3 server access logging", S3 User Guide). @default SSE-S3
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The data bucket: SSE-S3 encryption, public access blocked, TLS 1.2+ only, versioned, server access
 * logs to a second bucket, and lifecycle rules per prefix:
 * `data/` (tables; staging under `data/_staging/`), `manifests/`, `athena-results/`.
 *
 * SSE-S3 by default: analysts then need no key grant to query. With `encryptionKey` (config `aws.kms`) the data
 * bucket is SSE-KMS with a bucket key, and every grant below adds exactly the key actions it needs.
 */
export class CollectorBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly encryptionKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: CollectorBucketProps = {}) {
    super(scope, id);
    // Server access logs are delivered through a bucket policy, not the legacy log-delivery ACL
    // (ACLs stay disabled), whatever the app's feature flags say.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retention = props.snapshotRetentionDays ?? 400;
    const staging = props.stagingExpirationDays ?? 7;
    const noncurrent = props.noncurrentVersionExpirationDays ?? 30;
    const athena = props.athenaResultsExpirationDays ?? 30;
    const logs = props.accessLogsExpirationDays ?? 365;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    requireInt(retention, 'CollectorBucketProps', 'snapshotRetentionDays', 1, 36500);
    requireInt(staging, 'CollectorBucketProps', 'stagingExpirationDays', 1, 365);
    requireInt(noncurrent, 'CollectorBucketProps', 'noncurrentVersionExpirationDays', 1, 3650);
    requireInt(athena, 'CollectorBucketProps', 'athenaResultsExpirationDays', 1, 3650);
    requireInt(logs, 'CollectorBucketProps', 'accessLogsExpirationDays', 1, 36500);

    const secure = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    } as const;

    this.encryptionKey = props.encryptionKey;
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(logs), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the data bucket; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Data', {
      ...secure,
      ...(props.encryptionKey ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true } : {}),
      ...(props.bucketName ? { bucketName: props.bucketName } : {}),
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        {
          id: 'staging',
          prefix: `${STAGING_PREFIX}/`,
          expiration: Duration.days(staging),
        },
        {
          // Site lists, Map results and unit records (checkpoints) are needed only while their date is collected.
          id: 'workflow-state',
          prefix: `${STATE_PREFIX}/`,
          expiration: Duration.days(staging),
        },
        {
          id: 'snapshots',
          prefix: `${DATA_PREFIX}/`,
          expiration: Duration.days(retention),
        },
        {
          id: 'manifests',
          prefix: `${MANIFEST_PREFIX}/`,
          expiration: Duration.days(retention),
        },
        {
          id: 'athena-results',
          prefix: `${ATHENA_RESULTS_PREFIX}/`,
          expiration: Duration.days(athena),
        },
        {
          id: 'versions-and-uploads',
          noncurrentVersionExpiration: Duration.days(noncurrent),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
  }

  /** `arn:…:bucket/<prefix>*` */
  private objects(prefix: string): string {
    return this.bucket.arnForObjects(`${prefix}*`);
  }

  private list(prefixes: readonly string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
    });
  }

  /** The collect Lambda: write and delete staged parts, nothing else. */
  grantStaging(grantee: iam.IGrantable): void {
    const p = `${STAGING_PREFIX}/`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [this.objects(p)] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(this.list([p]));
    // Multipart uploads need Decrypt too ("Using server-side encryption with AWS KMS keys", S3 User Guide).
    for (const s of this.keyStatements(['kms:GenerateDataKey', 'kms:Decrypt'])) grantee.grantPrincipal.addToPrincipalPolicy(s);
  }

  /**
   * The workflow's own state under `state/<sub>` (site lists, Map results, unit records with their checkpoints):
   * read and write JSON objects there. Analysts never get it.
   */
  grantState(grantee: iam.IGrantable, sub: string, actions: readonly ('s3:GetObject' | 's3:PutObject' | 's3:DeleteObject')[] = ['s3:GetObject', 's3:PutObject']): void {
    const p = `${STATE_PREFIX}/${sub}`;
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [this.objects(p)] }));
    if (actions.includes('s3:GetObject')) grantee.grantPrincipal.addToPrincipalPolicy(this.list([p]));
    // With a customer-managed key the bucket's default encryption is SSE-KMS: a put needs GenerateDataKey, a get
    // Decrypt ("Using server-side encryption with AWS KMS keys", S3 User Guide). Plan has no other grant that gives them.
    for (const s of this.keyStatements(['kms:GenerateDataKey', 'kms:Decrypt'])) grantee.grantPrincipal.addToPrincipalPolicy(s);
  }

  /** The finalize Lambda: promote staged parts into the table partitions, write manifests. */
  grantPublish(grantee: iam.IGrantable): void {
    const data = `${DATA_PREFIX}/`;
    const manifests = `${MANIFEST_PREFIX}/`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [this.objects(data)],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.objects(manifests)] }));
    grantee.grantPrincipal.addToPrincipalPolicy(this.list([data]));
    for (const s of this.keyStatements(['kms:GenerateDataKey', 'kms:Decrypt'])) grantee.grantPrincipal.addToPrincipalPolicy(s);
  }

  /**
   * The report Lambda: read the published tables (Athena reads them with the caller's permissions; "Snapshots
   * covered" lists their files) and put the report beside the manifests. No delete, no staging, no state.
   */
  grantReport(grantee: iam.IGrantable): void {
    const data = `${DATA_PREFIX}/`;
    const manifests = `${MANIFEST_PREFIX}/`;
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objects(data)] }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.objects(manifests)] }));
    grantee.grantPrincipal.addToPrincipalPolicy(this.list([data]));
    for (const s of this.keyStatements(['kms:GenerateDataKey', 'kms:Decrypt'])) grantee.grantPrincipal.addToPrincipalPolicy(s);
  }

  /** With a customer-managed key: the key actions, through S3 only. */
  private keyStatements(actions: readonly string[]): iam.PolicyStatement[] {
    return this.encryptionKey ? [keyViaService(this.encryptionKey, 's3', actions)] : [];
  }

  /**
   * A Lambda that runs Athena queries over the tables it already reads (the finalize Lambda's Parquet
   * conversion): Athena writes query results and UNLOAD manifests under athena-results/ with its permissions.
   */
  athenaResultStatements(resultsPrefix = `${ATHENA_RESULTS_PREFIX}/`): iam.PolicyStatement[] {
    const results = resultsPrefix;
    return [
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.objects(results)],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.bucket.bucketArn] }),
      this.list([results]),
      ...this.keyStatements(['kms:GenerateDataKey', 'kms:Decrypt']),
    ];
  }

  /**
   * Analysts (Athena): read tables and manifests, read and write their query results under `resultsPrefix`
   * (a team's own prefix when each team has a workgroup).
   */
  analystStatements(resultsPrefix = `${ATHENA_RESULTS_PREFIX}/`): iam.PolicyStatement[] {
    const data = `${DATA_PREFIX}/`;
    const manifests = `${MANIFEST_PREFIX}/`;
    const results = resultsPrefix;
    return [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objects(data), this.objects(manifests)] }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.objects(results)],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.bucket.bucketArn] }),
      this.list([data, manifests, results]),
      ...this.keyStatements(['kms:GenerateDataKey', 'kms:Decrypt']),
      // Staged parts are not a snapshot (partial, possibly failed units): analysts never read them.
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:GetObject'], resources: [this.objects(`${STAGING_PREFIX}/`)] }),
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${STAGING_PREFIX}/*`, `${STAGING_PREFIX}`] } },
      }),
    ];
  }
}
