import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { StorageError } from '../errors.ts';
import type { BlobStore, ListOptions } from './store.ts';

/**
 * An S3 bucket (and optional key prefix). Parts are streamed with multipart upload, so memory is bounded
 * by one 5 MiB upload part per open table, not by the table's size.
 */
export class S3Store implements BlobStore {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    prefix = '',
  ) {
    this.prefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    this.location = `s3://${bucket}/${this.prefix}`;
  }

  private fail(op: string, key: string, e: unknown): never {
    const name = (e as { name?: string }).name ?? 'Error';
    throw new StorageError(
      `S3 ${op} of s3://${this.bucket}/${this.prefix}${key} failed (${name}: ${(e as Error).message}). ` +
        `Check the bucket exists and the collector's role may read, write and delete under this prefix.`,
      { cause: e },
    );
  }

  async write(key: string, body: Readable): Promise<void> {
    try {
      await new Upload({
        client: this.s3,
        params: { Bucket: this.bucket, Key: this.prefix + key, Body: body, ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' },
        queueSize: 1,
        partSize: 5 * 1024 * 1024,
        leavePartsOnError: false,
      }).done();
    } catch (e) {
      this.fail('upload', key, e);
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ContinuationToken: token,
            ...(options.startAfter !== undefined ? { StartAfter: this.prefix + options.startAfter } : {}),
          }),
        );
        for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key.slice(this.prefix.length));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      this.fail('list', prefix, e);
    }
    return out.sort();
  }

  async readStream(key: string): Promise<Readable> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      if (!(r.Body instanceof Readable)) throw new Error('empty body');
      return r.Body;
    } catch (e) {
      this.fail('get', key, e);
    }
  }

  async read(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.readStream(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async readIfExists(key: string): Promise<Buffer | undefined> {
    try {
      return await this.read(key);
    } catch (e) {
      const name = ((e as { cause?: { name?: string } }).cause ?? {}).name;
      if (name === 'NoSuchKey') return undefined;
      // S3 answers a missing key with 404 only to a caller that may list the bucket; our roles may list only their
      // prefixes (an s3:prefix condition), so a missing key is a 403 here: ask the listing whether it exists.
      if (name === 'AccessDenied' && !(await this.list(key)).includes(key)) return undefined;
      throw e;
    }
  }

  async copy(from: string, to: string): Promise<void> {
    try {
      await this.s3.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + to,
          CopySource: `${this.bucket}/${(this.prefix + from).split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    } catch (e) {
      this.fail('copy', from, e);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      try {
        const r = await this.s3.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((k) => ({ Key: this.prefix + k })), Quiet: true },
          }),
        );
        if (r.Errors?.length) throw new Error(r.Errors.map((x) => `${x.Key}: ${x.Code}`).join(', '));
      } catch (e) {
        this.fail('delete', batch[0] ?? '', e);
      }
    }
  }
}
