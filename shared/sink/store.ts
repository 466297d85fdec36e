import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, copyFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from '../errors.ts';

/**
 * Where output goes: a local folder or an S3 bucket. Keys are `/`-separated paths.
 * The sink and the promotion step only use these operations, so both backends behave alike.
 */
export interface BlobStore {
  /** Human-readable location, for messages (`./out`, `s3://bucket/prefix`). */
  readonly location: string;
  /** Stream `body` to `key`. The object appears whole or not at all. */
  write(key: string, body: Readable): Promise<void>;
  /**
   * Keys under `prefix`, sorted. With `startAfter` (a full key or any string), only the keys after it in
   * byte order: S3's `StartAfter`, so a listing can skip what it already knows without reading it.
   */
  list(prefix: string, options?: ListOptions): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  /** The object, or undefined when there is none: one request, where `list` then `read` would take two. */
  readIfExists(key: string): Promise<Buffer | undefined>;
  readStream(key: string): Promise<Readable>;
  copy(from: string, to: string): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

export interface ListOptions {
  /** List only the keys that sort after this one (byte order, as S3 does). */
  readonly startAfter?: string;
}

/** A folder on disk. Writes go to a temporary name and are renamed into place. */
export class LocalStore implements BlobStore {
  readonly location: string;
  constructor(private readonly root: string) {
    this.location = root;
  }

  private path(key: string): string {
    if (key.split('/').includes('..')) throw new StorageError(`invalid key '${key}'`);
    return join(this.root, ...key.split('/'));
  }

  async write(key: string, body: Readable): Promise<void> {
    const p = this.path(key);
    const tmp = `${p}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await mkdir(dirname(p), { recursive: true });
      await pipeline(body, createWriteStream(tmp));
      await rename(tmp, p);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new StorageError(`could not write ${p}: ${(e as Error).message}. Check the output folder exists and is writable.`, { cause: e });
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    // List the deepest existing folder of the prefix, then filter by the full prefix.
    const dirKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = dirKey ? this.path(dirKey) : this.root;
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new StorageError(`could not list ${dir}: ${(e as Error).message}`, { cause: e });
      }
      for (const ent of entries) {
        const full = join(dir, ent.name);
        if (ent.isDirectory()) await walk(full);
        else if (!ent.name.includes('.tmp-')) {
          const key = relative(this.root, full).split(sep).join('/');
          if (key.startsWith(prefix)) out.push(key);
        }
      }
    };
    await walk(start);
    const { startAfter } = options;
    out.sort();
    return startAfter === undefined ? out : out.filter((k) => k > startAfter);
  }

  async read(key: string): Promise<Buffer> {
    return readFile(this.path(key));
  }

  async readIfExists(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`could not read ${this.path(key)}: ${(e as Error).message}`, { cause: e });
    }
  }

  async readStream(key: string): Promise<Readable> {
    await stat(this.path(key));
    return createReadStream(this.path(key));
  }

  async copy(from: string, to: string): Promise<void> {
    const dst = this.path(to);
    const tmp = `${dst}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await mkdir(dirname(dst), { recursive: true });
    await copyFile(this.path(from), tmp);
    await rename(tmp, dst);
  }

  async delete(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const k of keys) {
      await rm(this.path(k), { force: true });
      dirs.add(dirname(this.path(k)));
    }
    // Folders are implicit in S3; here a run would leave empty `_staging/run=…` trees behind: remove the folders the
    // deletes emptied, up to (not including) the output folder.
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) await this.pruneEmpty(d);
  }

  private async pruneEmpty(dir: string): Promise<void> {
    const root = resolve(this.root);
    for (let d = resolve(dir); d.startsWith(root + sep) && d !== root; d = dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        return; // not empty (or gone): stop climbing
      }
    }
  }
}
