/** The `catalog` section of the configuration (docs/configuration.md, docs/catalog.md). */
import { z } from 'zod';
import { durationMs } from './duration.js';

const catalogScope = z.enum(['tukang.read', 'tukang.write']);

export const catalogAuthSchema = z
  .strictObject({
    /** Development only: every request is allowed, and start-up logs a warning saying so. */
    disabled: z.boolean().default(false),
    /** Fixed bearer tokens for local use and simple deployments. */
    static_tokens: z
      .array(z.strictObject({ name: z.string().min(1), token: z.string().min(16, 'must be at least 16 characters'), scopes: z.array(catalogScope).min(1) }))
      .default([]),
    /** JWT bearer tokens signed by an identity provider; scopes from the `scope` (space-separated) or `scp` claim. */
    jwt: z
      .strictObject({
        issuer: z.string().min(1),
        jwks_url: z.string().url(),
        /** null accepts any audience. */
        audience: z.string().min(1).nullable().default(null),
      })
      .nullable()
      .default(null),
  })
  .prefault({});

export const catalogSchema = z.strictObject({
  enabled: z.boolean().default(true),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8080),
  /**
   * The catalog's URL as clients reach it (`https://catalog.example.com`, optionally with a path),
   * the base of every absolute link; null uses the address the connection arrived at. Never the
   * request's Host header.
   */
  public_url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u) && !/[?#]/.test(u), 'must be an http(s) URL without query or fragment')
    .nullable()
    .default(null),
  auth: catalogAuthSchema,
  cache: z
    .strictObject({
      /** Full partition states kept in memory (lru-cache); listing uses the index, not these. */
      partition_states: z.number().int().min(1).default(10_000),
      /** How often the change log is tailed, so new commits reach the index and the caches. */
      refresh_interval: durationMs.default(2_000),
      /** How often all partition states are re-listed (catches open partitions growing). */
      relist_interval: durationMs.default(30_000),
      /**
       * Changes younger than this are held back from "changed since" answers: change records are
       * named by the writer's clock and may land a little after that time (docs/catalog.md).
       */
      change_settle: durationMs.default(15_000),
      /** How long dead-letter counts, source checkpoints and consumer lag are reused. */
      stats_ttl: durationMs.default(5_000),
    })
    .prefault({}),
  /** The in-memory dataset index (docs/catalog.md, "How it reads the lake"). */
  index: z
    .strictObject({
      /** The longest wait between refreshes of a dataset in which nothing changed: each quiet refresh doubles the wait from cache.refresh_interval. */
      idle_refresh_interval: durationMs.default(300_000),
      /** How often an instance persists its index as a snapshot (when it changed), for fast cold starts; 0 neither writes nor reads one. */
      snapshot_interval: durationMs.default(300_000),
    })
    .prefault({}),
  /** Upper bound of `limit` for previews. */
  preview_max_rows: z.number().int().min(1).max(10_000).default(1_000),
  /** Lifetime of presigned manifest URLs. */
  presign_expiry: durationMs.default(900_000),
});
