import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Store } from '../../shared/sink/s3-store.ts';

// A role whose s3:ListBucket is limited to its prefixes (an s3:prefix condition, as the stack grants) gets
// 403 AccessDenied, not 404 NoSuchKey, for a key that does not exist. readIfExists must tell "missing" from
// "denied" by listing, so a unit record that is not there yet is not mistaken for a broken permission.
const s3 = mockClient(S3Client);
const denied = () => new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });

afterEach(() => {
  s3.reset();
});

describe('S3Store.readIfExists behind a prefix-limited ListBucket', () => {
  it('a 403 for a key the listing does not show means the key is missing', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(denied());
    s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
    const store = new S3Store(new S3Client({ region: 'us-east-1' }), 'bucket');
    // Act
    const got = await store.readIfExists('state/units/dt=2026-12-01/acme/jira.json');
    // Assess
    expect(got).toBeUndefined();
  });

  it('a 403 for a key the listing shows is a permission error that names the object', async () => {
    // Prepare
    const key = 'state/units/dt=2026-12-01/acme/jira.json';
    s3.on(GetObjectCommand).rejects(denied());
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: key }], IsTruncated: false });
    const store = new S3Store(new S3Client({ region: 'us-east-1' }), 'bucket');
    // Act
    const read = store.readIfExists(key);
    // Assess
    await expect(read).rejects.toMatchObject({ name: 'StorageError', message: expect.stringContaining(`s3://bucket/${key}`) });
  });
});
