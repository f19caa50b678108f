import type { Request } from 'express';
import type { FileCommit } from '../../lake/metadata-types.js';
import type { CatalogContext } from '../context.js';
import { markImmutable } from '../etag.js';
import { decodeCursor, encodeCursor } from '../index/cursor.js';
import type { PartitionFilter } from '../index/dataset-index.js';
import { PageCache } from '../index/page-cache.js';
import { mapLimit } from '../lake/map-limit.js';
import { paramsOf, type Params } from '../openapi/request-validator.js';
import { badRequest } from '../problem.js';
import { baseUrl, withQuery } from '../views/links.js';
import { partitionDetail, partitionSummary } from '../views/partition-view.js';
import { datasetOr404, partitionOr404 } from './lookup.js';
import type { OperationHandler } from './types.js';

function filterOf(p: Params): PartitionFilter {
  const filter: PartitionFilter = {};
  if (typeof p['from'] === 'string') filter.fromMs = Date.parse(p['from']);
  if (typeof p['to'] === 'string') filter.toMs = Date.parse(p['to']);
  if (p['status'] === 'open' || p['status'] === 'complete') filter.status = p['status'];
  return filter;
}

/** A changes cursor, or an RFC 3339 time: change-log names begin with the time, so it is a position too. */
function changePosition(text: string): string {
  const cursor = decodeCursor(text, 'c');
  if (cursor) return cursor.c;
  const ms = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(ms)) return new Date(ms).toISOString();
  throw badRequest([{ name: 'changed_since', in: 'query', reason: 'must be a changes_cursor from an earlier response, or an RFC 3339 time' }]);
}

export function partitionRoutes(ctx: CatalogContext): Record<string, OperationHandler> {
  // Pages by time without embedded files depend on the index alone (a changed_since page also on the clock).
  const pages = new PageCache();
  async function withFiles(dataset: string, paths: string[]): Promise<Map<string, FileCommit[]>> {
    const states = await mapLimit(paths, 16, (path) => ctx.lake.state(dataset, path));
    return new Map(states.flatMap((s) => (s ? [[s.state.partition_path, s.state.files] as const] : [])));
  }

  async function listByChange(req: Request, p: Params, dataset: string, changedSince: string, limit: number, embedFiles: boolean): Promise<Record<string, unknown>> {
    if (p['cursor'] !== undefined) throw badRequest([{ name: 'cursor', in: 'query', reason: 'cannot be combined with changed_since; follow the next link' }]);
    const index = await ctx.lake.index(dataset);
    const page = index.listByChange(filterOf(p), changePosition(changedSince), ctx.lake.changesUntilMs(), limit);
    const files = embedFiles ? await withFiles(dataset, page.items.map((i) => i.entry.path)) : undefined;
    const base = baseUrl(req);
    const changesCursor = encodeCursor({ k: 'c', c: page.last });
    const body: Record<string, unknown> = { self: withQuery(req, {}) };
    if (page.more) body['next'] = withQuery(req, { changed_since: changesCursor });
    body['changes_cursor'] = changesCursor;
    body['items'] = page.items.map(({ entry, change }) => {
      const f = files?.get(entry.path);
      return partitionSummary(base, dataset, entry, f ? { change, files: f } : { change });
    });
    return body;
  }

  return {
    async listPartitions(req, res) {
      const p = paramsOf(res);
      const dataset = datasetOr404(ctx, String(p['dataset'])).name;
      const limit = Number(p['limit']);
      const embedFiles = p['embed'] === 'files';
      if (typeof p['changed_since'] === 'string') {
        res.json(await listByChange(req, p, dataset, p['changed_since'], limit, embedFiles));
        return;
      }
      let after: { startMs: number; path: string } | undefined;
      if (typeof p['cursor'] === 'string') {
        const cursor = decodeCursor(p['cursor'], 't');
        if (!cursor) throw badRequest([{ name: 'cursor', in: 'query', reason: 'is not a cursor from a next link of this listing' }]);
        after = { startMs: cursor.s, path: cursor.p };
      }
      const index = await ctx.lake.index(dataset);
      const base = baseUrl(req);
      const key = `${base}\n${req.originalUrl}`;
      const cached = embedFiles ? undefined : pages.get(index, key);
      if (cached) {
        res.json(cached);
        return;
      }
      const page = index.listByTime(filterOf(p), after, limit);
      const files = embedFiles ? await withFiles(dataset, page.items.map((e) => e.path)) : undefined;
      const body: Record<string, unknown> = { self: withQuery(req, {}) };
      const last = page.items.at(-1);
      if (page.more && last) body['next'] = withQuery(req, { cursor: encodeCursor({ k: 't', s: last.startMs, p: last.path }) });
      body['items'] = page.items.map((e) => {
        const f = files?.get(e.path);
        return partitionSummary(base, dataset, e, f ? { files: f } : {});
      });
      if (!embedFiles) {
        pages.set(index, key, body);
        markImmutable(body);
      }
      res.json(body);
    },

    async getPartition(req, res) {
      const p = paramsOf(res);
      const dataset = datasetOr404(ctx, String(p['dataset'])).name;
      const state = await partitionOr404(ctx, dataset, String(p['partition']));
      res.json(partitionDetail(baseUrl(req), state));
    },
  };
}
