/**
 * Typed, validated reads of metadata documents: the one way src/ reads JSON from the lake. A body
 * that is not JSON, or JSON of the wrong shape, raises METADATA_CORRUPT naming the key (never a
 * raw SyntaxError, never a value cast to a type it does not have).
 */
import type { z } from 'zod';
import { TukangError } from '../errors/catalogue.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Reads and validates `key`; undefined when the object does not exist. */
export async function readMetadata<T>(store: ObjectStore, key: string, schema: z.ZodType<T>): Promise<{ value: T; etag: string } | undefined> {
  const object = await store.get(key);
  if (!object) return undefined;
  return { value: parseMetadata(key, Buffer.from(object.body).toString('utf8'), schema), etag: object.etag };
}

/** `readMetadata` without the ETag. */
export async function readMetadataValue<T>(store: ObjectStore, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
  return (await readMetadata(store, key, schema))?.value;
}

export function parseMetadata<T>(key: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TukangError('METADATA_CORRUPT', `${key} is not JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err, details: { key } });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(document)';
    throw new TukangError('METADATA_CORRUPT', `${key} does not have the expected shape: ${where}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error, details: { key } });
  }
  return parsed.data;
}
