import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type ListObjectsV2CommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { TukangConfig } from '../config/schema.js';
import { TukangError } from '../errors/catalogue.js';
import type { ListOptions, ListPage, ObjectInfo, ObjectStore, PutOptions, StoredObject } from './object-store.js';

/** Bodies above this go up as a multipart upload (S3 needs parts of at least 5 MiB). */
const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

export function createS3Client(s3: TukangConfig['s3']): S3Client {
  return new S3Client({
    region: s3.region,
    forcePathStyle: s3.force_path_style,
    ...(s3.endpoint === null ? {} : { endpoint: s3.endpoint }),
    ...(s3.access_key_id !== null && s3.secret_access_key !== null
      ? { credentials: { accessKeyId: s3.access_key_id, secretAccessKey: s3.secret_access_key } }
      : {}),
    // Keep the SDK's retries (throttling, 5xx, network) modest: the pipeline retries commits itself.
    maxAttempts: 3,
    // Without these a request that the server never answers (seen with LocalStack, and possible
    // behind any proxy) waits forever, and with it the flush or commit that sent it.
    requestHandler: { connectionTimeout: s3.connect_timeout, socketTimeout: s3.idle_timeout },
  });
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async ensureBucket(create: boolean): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw toTukangError(err, `checking bucket ${this.bucket}`);
    }
    if (!create) throw new TukangError('S3_BUCKET_MISSING', `bucket ${this.bucket} does not exist (set s3.create_bucket to create it)`);
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const name = err instanceof S3ServiceException ? err.name : '';
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw toTukangError(err, `creating bucket ${this.bucket}`);
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const conditional = options.ifMatch !== undefined || options.ifNoneMatch !== undefined;
    try {
      if (!conditional && bytes.byteLength > MULTIPART_THRESHOLD) {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key: key, Body: bytes, ContentType: options.contentType },
          partSize: PART_SIZE,
          queueSize: 2,
        });
        const out = await upload.done();
        return { etag: out.ETag ?? '' };
      }
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: options.contentType,
          IfNoneMatch: options.ifNoneMatch,
          IfMatch: options.ifMatch,
        }),
      );
      return { etag: out.ETag ?? '' };
    } catch (err) {
      throw toTukangError(err, `writing s3://${this.bucket}/${key}`);
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      return { body, etag: out.ETag ?? '' };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw toTukangError(err, `reading s3://${this.bucket}/${key}`);
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      throw toTukangError(err, `reading bytes ${start}-${end - 1} of s3://${this.bucket}/${key}`);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0, etag: out.ETag ?? '' };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw toTukangError(err, `inspecting s3://${this.bucket}/${key}`);
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const input: ListObjectsV2CommandInput = { Bucket: this.bucket, Prefix: prefix };
    if (options.startAfter !== undefined) input.StartAfter = options.startAfter;
    if (options.delimiter !== undefined) input.Delimiter = options.delimiter;
    if (options.maxKeys !== undefined) input.MaxKeys = options.maxKeys;
    if (options.continuationToken !== undefined) input.ContinuationToken = options.continuationToken;
    try {
      const out = await this.client.send(new ListObjectsV2Command(input));
      return {
        objects: (out.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, etag: o.ETag ?? '', ...(o.LastModified ? { lastModifiedMs: o.LastModified.getTime() } : {}) })),
        prefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
        nextToken: out.IsTruncated ? out.NextContinuationToken : undefined,
      };
    } catch (err) {
      throw toTukangError(err, `listing s3://${this.bucket}/${prefix}`);
    }
  }

  async copy(from: string, to: string): Promise<boolean> {
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}` }));
      return true;
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (statusOf(err) === 404 || name === 'NoSuchKey') return false;
      throw toTukangError(err, `copying s3://${this.bucket}/${from} to ${to}`);
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      try {
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
      } catch (err) {
        throw toTukangError(err, `deleting ${chunk.length} objects from s3://${this.bucket}`);
      }
    }
  }
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
  return undefined;
}

/** Maps SDK errors onto the catalogue: lost conditions are final, everything else may be retried. */
function toTukangError(err: unknown, doing: string): TukangError {
  const status = statusOf(err);
  const name = err instanceof Error ? err.name : 'Error';
  if (status === 412 || name === 'PreconditionFailed' || (status === 404 && doing.startsWith('writing'))) {
    return new TukangError('S3_PRECONDITION_FAILED', `${doing}: precondition failed (${status ?? name})`, { cause: err, details: { status } });
  }
  if (status === 409 && name === 'ConditionalRequestConflict') {
    return new TukangError('S3_PRECONDITION_FAILED', `${doing}: concurrent conditional write`, { cause: err, details: { status } });
  }
  if (name === 'NoSuchBucket') return new TukangError('S3_BUCKET_MISSING', `${doing}: the bucket does not exist`, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new TukangError('S3_UNAVAILABLE', `${doing} failed: ${status ? `HTTP ${status} ` : ''}${message}`, { cause: err, details: { status } });
}
