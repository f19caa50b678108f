import type { DatasetConfig } from '../../config/schema.js';
import { TukangError } from '../../errors/catalogue.js';
import type { CatalogContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../index/cursor.js';
import { partitionPathOf } from '../index/partition-id.js';
import { bodyOf, paramsOf } from '../openapi/request-validator.js';
import { badRequest, HttpProblem, notFound } from '../problem.js';
import { baseUrl, withQuery } from '../views/links.js';
import { planView, replayHref, replayView } from '../views/replay-view.js';
import type { OperationHandler } from './types.js';

/** The partitions a request names: ids, or a from_at/to_at range (exactly one of the two). */
async function selectedPaths(ctx: CatalogContext, dataset: DatasetConfig, body: Record<string, unknown>): Promise<string[]> {
  const ids = Array.isArray(body['partitions']) ? body['partitions'].map(String) : undefined;
  const from = typeof body['from_at'] === 'string' ? Date.parse(body['from_at']) : undefined;
  const to = typeof body['to_at'] === 'string' ? Date.parse(body['to_at']) : undefined;
  if (ids && (from !== undefined || to !== undefined)) throw badRequest([{ name: 'partitions', in: 'body', reason: 'give either partitions or from_at/to_at, not both' }]);
  if (ids) {
    return ids.map((id, i) => {
      const path = partitionPathOf(id);
      if (path === undefined) throw badRequest([{ name: `partitions[${i}]`, in: 'body', reason: 'is not a partition id (like 2026-11-21T10, or 2026-11-21T10~field=value)' }]);
      return path;
    });
  }
  if (from === undefined || to === undefined) throw badRequest([{ name: from === undefined ? 'from_at' : 'to_at', in: 'body', reason: 'is required unless partitions are given' }]);
  if (to <= from) throw badRequest([{ name: 'to_at', in: 'body', reason: 'must be after from_at' }]);
  return ctx.replays.partitionsBetween(dataset, from, to);
}

export function replayRoutes(ctx: CatalogContext): Record<string, OperationHandler> {
  return {
    async createReplay(req, res) {
      const body = bodyOf(res);
      const name = String(body['dataset']);
      const dataset = ctx.lake.dataset(name);
      // The body is well-formed but names no dataset here: 422, not a 404 of the URL.
      if (!dataset) throw new HttpProblem('DATASET_UNKNOWN', `no dataset ${name}`);
      const paths = await selectedPaths(ctx, dataset, body);
      if (body['dry_run'] === true) {
        res.status(200).json(planView(await ctx.replays.plan(dataset, paths)));
        return;
      }
      const job = await ctx.replays.submit(dataset, paths);
      const base = baseUrl(req);
      res.status(202).setHeader('Location', replayHref(base, job.id));
      res.json(replayView(base, job));
    },

    async listReplays(req, res) {
      const p = paramsOf(res);
      const limit = Number(p['limit']);
      let jobs = await ctx.replays.list();
      if (typeof p['dataset'] === 'string') jobs = jobs.filter((j) => j.dataset === p['dataset']);
      if (typeof p['cursor'] === 'string') {
        const cursor = decodeCursor(p['cursor'], 'r');
        if (!cursor) throw badRequest([{ name: 'cursor', in: 'query', reason: 'is not a cursor from a next link of this listing' }]);
        // Newest first: what follows the cursor is older, or as old with a smaller id.
        jobs = jobs.filter((j) => j.created_at < cursor.c || (j.created_at === cursor.c && j.id < cursor.i));
      }
      const page = jobs.slice(0, limit);
      const base = baseUrl(req);
      const out: Record<string, unknown> = { self: withQuery(req, {}) };
      const last = page.at(-1);
      if (jobs.length > limit && last) out['next'] = withQuery(req, { cursor: encodeCursor({ k: 'r', c: last.created_at, i: last.id }) });
      out['items'] = page.map((j) => replayView(base, j));
      res.json(out);
    },

    async getReplay(req, res) {
      const id = String(paramsOf(res)['replay_id']);
      const job = await ctx.replays.get(id);
      if (!job) throw notFound(`no replay ${id}`);
      res.json(replayView(baseUrl(req), job));
    },

    async cancelReplay(req, res) {
      const id = String(paramsOf(res)['replay_id']);
      const outcome = await ctx.replays.cancel(id);
      if (!outcome) throw notFound(`no replay ${id}`);
      if (!outcome.accepted) throw new TukangError('REPLAY_NOT_CANCELLABLE', outcome.reason);
      res.status(202).json(replayView(baseUrl(req), outcome.job));
    },
  };
}
