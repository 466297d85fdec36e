import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { DATA_PREFIX } from '../../shared/workflow/names.ts';
import type { AccessCatalog } from './access-catalog.ts';
import type { CollectorBucket } from './data-bucket.ts';
import { keyViaService } from './encryption-key.ts';
import { ackObjectWildcard, requireProp } from './validate.ts';

export interface CollectorLakeFormationProps {
  readonly data: CollectorBucket;
  readonly catalog: AccessCatalog;
  /** Roles or users granted DESCRIBE on the database and SELECT, DESCRIBE on every table and view. */
  readonly analystPrincipalArns: readonly string[];
  /** Roles that query the tables for the stack (the finalize Lambda when it converts to Parquet): same grants. @default none */
  readonly queryRoles?: readonly iam.IRole[];
}

const LF_GET_DATA_ACCESS = 'lakeformation:GetDataAccess';

/**
 * Lake Formation over the collector's catalog (config `aws.lakeFormation`), for accounts that govern their data
 * lake with it ("Registering an Amazon S3 location", "Granting Data Catalog permissions", AWS Lake Formation
 * Developer Guide):
 * - `data/` registered with a role of its own (not the service-linked role, which cannot use a customer-managed key);
 * - each analyst principal: DESCRIBE on the database, SELECT and DESCRIBE on every table and view;
 * - the query roles (finalize, for Parquet): the same, so its Athena queries still read the tables;
 * - `lakeformation:GetDataAccess` (Athena asks Lake Formation for temporary credentials on the caller's
 *   behalf) on the analyst policies and the query roles.
 * The Lambdas' own S3 reads and writes stay IAM-governed: Lake Formation governs access through the catalog.
 */
export class CollectorLakeFormation extends Construct {
  readonly dataLocation: lakeformation.CfnResource;
  readonly registrationRole: iam.Role;
  readonly grants: readonly lakeformation.CfnPrincipalPermissions[];

  constructor(scope: Construct, id: string, props: CollectorLakeFormationProps) {
    super(scope, id);
    requireProp(props.analystPrincipalArns.length > 0, 'CollectorLakeFormationProps', 'analystPrincipalArns', 'must list at least one principal');
    const bucket = props.data.bucket;
    const prefix = `${DATA_PREFIX}/`;

    // "Requirements for roles used to register locations": trusted by Lake Formation, S3 access to the location,
    // and the key's Encrypt/Decrypt when it is customer-managed.
    this.registrationRole = new iam.Role(this, 'RegistrationRole', {
      assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com'),
      description: 'Lake Formation reads the Atlassian access collector tables under data/ with this role',
    });
    this.registrationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }),
    );
    this.registrationRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }));
    if (props.data.encryptionKey) {
      this.registrationRole.addToPrincipalPolicy(keyViaService(props.data.encryptionKey, 's3', ['kms:Decrypt', 'kms:GenerateDataKey']));
    }
    ackObjectWildcard(this.registrationRole, bucket, prefix, 'Lake Formation vends credentials for every table partition under data/ (named per table, day and org at run time); limited to data/.');

    this.dataLocation = new lakeformation.CfnResource(this, 'DataLocation', {
      resourceArn: `${bucket.bucketArn}/${DATA_PREFIX}`,
      useServiceLinkedRole: false,
      roleArn: this.registrationRole.roleArn,
    });

    const principals: { id: string; arn: string }[] = [
      ...props.analystPrincipalArns.map((arn, i) => ({ id: `Analyst${i}`, arn })),
      ...(props.queryRoles ?? []).map((r, i) => ({ id: `QueryRole${i}`, arn: r.roleArn })),
    ];
    const databaseName = props.catalog.databaseName;
    const grants: lakeformation.CfnPrincipalPermissions[] = [];
    for (const p of principals) {
      const db = new lakeformation.CfnPrincipalPermissions(this, `${p.id}Database`, {
        catalog: Aws.ACCOUNT_ID,
        principal: { dataLakePrincipalIdentifier: p.arn },
        resource: { database: { catalogId: Aws.ACCOUNT_ID, name: databaseName } },
        permissions: ['DESCRIBE'],
        permissionsWithGrantOption: [],
      });
      const tables = new lakeformation.CfnPrincipalPermissions(this, `${p.id}Tables`, {
        catalog: Aws.ACCOUNT_ID,
        principal: { dataLakePrincipalIdentifier: p.arn },
        resource: { table: { catalogId: Aws.ACCOUNT_ID, databaseName, tableWildcard: {} } },
        permissions: ['SELECT', 'DESCRIBE'],
        permissionsWithGrantOption: [],
      });
      for (const g of [db, tables]) {
        g.addResourceDependency(props.catalog.database);
        for (const t of [...props.catalog.tables, ...props.catalog.parquetTables, ...props.catalog.views]) g.addResourceDependency(t);
        g.addResourceDependency(this.dataLocation);
        grants.push(g);
      }
    }
    this.grants = grants;

    const reason = 'lakeformation:GetDataAccess does not support resource-level permissions (Lake Formation API permissions reference); the grants above decide which tables.';
    for (const policy of [props.catalog.analystPolicy, ...props.catalog.teams.map((t) => t.analystPolicy)]) {
      policy.addStatements(new iam.PolicyStatement({ actions: [LF_GET_DATA_ACCESS], resources: ['*'] }));
      Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
    }
    for (const role of props.queryRoles ?? []) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [LF_GET_DATA_ACCESS], resources: ['*'] }));
    }
  }
}
