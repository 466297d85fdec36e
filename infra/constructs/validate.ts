import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { ConfigError } from '../../shared/errors.ts';

/** Throw a ConfigError naming the construct's prop, e.g. `CollectorWorkflowProps.maxConcurrency must ...`. */
export function requireProp(ok: boolean, propsType: string, prop: string, message: string): void {
  if (!ok) throw new ConfigError(`${propsType}.${prop} ${message}`);
}

/** An integer in [min, max]. */
export function requireInt(value: number, propsType: string, prop: string, min: number, max: number): void {
  requireProp(Number.isInteger(value) && value >= min && value <= max, propsType, prop, `must be an integer between ${min} and ${max} (got ${value})`);
}

/**
 * Acknowledge the cdk-nag IAM5 finding for `<bucket ARN>/<prefix>*` on `scope` (a role or policy):
 * S3 object keys under a prefix are named at run time, so the statement cannot name them one by one.
 */
export function ackObjectWildcard(scope: IConstruct, bucket: s3.IBucket, prefix: string, reason: string): void {
  const cfn = bucket.node.defaultChild as CfnElement;
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(cfn)}.Arn>/${prefix}*]`, reason });
}
