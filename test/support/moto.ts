import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const common = () => {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run the tests with vitest (its global setup starts moto_server).');
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
};

/** S3 client for moto_server. */
export function motoS3(): S3Client {
  // moto returns a multipart object's composite CRC32 without the "-<parts>" suffix real S3 adds, so the SDK
  // would compare it with a full-object checksum and fail; real S3 is validated as usual.
  return new S3Client({ ...common(), forcePathStyle: true, responseChecksumValidation: 'WHEN_REQUIRED' });
}

export function motoSecrets(): SecretsManagerClient {
  return new SecretsManagerClient(common());
}

export function motoKms(): KMSClient {
  return new KMSClient(common());
}

/** A fresh bucket with a unique name. */
export async function freshBucket(s3: S3Client, prefix = 'test'): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}
