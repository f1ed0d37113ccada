/**
 * The local S3's objects on disk: `<dataDir>/documents/<bucket>/<key>` holds the bytes (a developer can
 * open the file), `<dataDir>/documents/.meta/<bucket>/<key>.json` its content type (no bucket name
 * starts with a dot, so the two trees never meet). Each file is written to a temporary file in its own
 * folder, flushed to disk, then renamed over the old one: a kill -9 leaves the whole object or the one
 * before, never a torn one. The ETag is the bytes' MD5, computed on read, so it always fits the bytes.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { readJsonFile } from '../json-file.ts';
import { AwsApiError } from './protocol.ts';

export interface StoredObject {
  bytes: Buffer;
  contentType: string;
  /** The quoted MD5 of the bytes, as S3 gives it for a single-part upload. */
  etag: string;
  lastModified: Date;
}

const metaSchema = z.object({ contentType: z.string() });

/** What S3 stores as Content-Type when the upload named none. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * Why the stand-in refuses a key, or undefined. S3 takes any key; on disk a `..`, `.` or empty segment,
 * a leading `/` or a backslash would name a file outside the bucket's folder, so the stand-in refuses
 * them (the product's keys never hold them: shared/evidence documentKeyProblem).
 */
export function unsafeKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.startsWith('/')) return 'an empty key or one starting with "/"';
  if (key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    return 'an empty, "." or ".." segment';
  }
  if (/[\\\0]/.test(key)) return 'a backslash or NUL';
  return undefined;
}

export const etagOf = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;

export class ObjectFiles {
  readonly #root: string;

  constructor(dataDir: string) {
    this.#root = join(dataDir, 'documents');
  }

  /** Callers check the key with unsafeKeyProblem first; this is the second lock on the door. */
  private paths(bucket: string, key: string): { bytes: string; meta: string } {
    if (unsafeKeyProblem(key) || unsafeKeyProblem(bucket)) throw new Error(`Unsafe object key ${key}`);
    return {
      bytes: join(this.#root, bucket, key),
      meta: join(this.#root, '.meta', bucket, `${key}.json`),
    };
  }

  get(bucket: string, key: string): StoredObject | undefined {
    const { bytes: file, meta } = this.paths(bucket, key);
    let bytes: Buffer;
    let lastModified: Date;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return undefined;
      bytes = readFileSync(file);
      lastModified = stat.mtime;
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
    // A kill between the two renames leaves the new bytes with the old (or no) sidecar: the content
    // type is then the old one, or S3's default; the bytes are whole either way.
    const contentType = readJsonFile(meta, metaSchema, undefined)?.contentType ?? DEFAULT_CONTENT_TYPE;
    return { bytes, contentType, etag: etagOf(bytes), lastModified };
  }

  /** Writes the bytes, then the sidecar, each atomically; answers the ETag. */
  put(bucket: string, key: string, bytes: Uint8Array, contentType: string): string {
    const paths = this.paths(bucket, key);
    // S3 keys are names, not paths: "a" and "a/b" may both exist there, but not as files here.
    if (isFolder(paths.bytes) || hasFileAbove(join(this.#root, bucket), paths.bytes)) {
      throw new AwsApiError(
        'InvalidArgument',
        `The local S3 keeps objects as files: "${key}" collides with another key's file or folder`,
      );
    }
    writeAtomically(paths.bytes, bytes);
    writeAtomically(paths.meta, Buffer.from(JSON.stringify({ contentType })));
    return etagOf(bytes);
  }

  /** Removes the object; a missing one is no error (S3's DeleteObject answers 204 either way). */
  delete(bucket: string, key: string): void {
    const { bytes, meta } = this.paths(bucket, key);
    rmSync(bytes, { force: true });
    rmSync(meta, { force: true });
  }
}

/** Temp file in the same folder (a rename never crosses file systems), write, fsync, rename, fsync the folder. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${randomUUID()}.tmp`);
  const fd = openSync(temporary, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  // The rename itself is durable only once the folder's entry is on disk.
  const folderFd = openSync(folder, 'r');
  try {
    fsyncSync(folderFd);
  } finally {
    closeSync(folderFd);
  }
}

function isFolder(path: string): boolean {
  return statOrNone(path)?.isDirectory() ?? false;
}

/** The file's stat, or undefined when nothing is there (or a file stands where a folder would be). */
function statOrNone(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
}

/** A file (an object) where one of `path`'s folders below `root` would have to be. */
function hasFileAbove(root: string, path: string): boolean {
  for (let folder = dirname(path); folder.startsWith(root) && folder !== root; folder = dirname(folder)) {
    const stat = statOrNone(folder);
    if (stat) return !stat.isDirectory();
  }
  return false;
}

function isMissingFile(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
