import { describeError } from '../../errors/catalogue.js';
import type { CatalogContext } from '../context.js';
import { paramsOf } from '../openapi/request-validator.js';
import { baseUrl } from '../views/links.js';
import { countsView, datasetSummary, partitioningView, partitionRef, schemaView, watermarkView } from '../views/dataset-view.js';
import { datasetOr404 } from './lookup.js';
import type { OperationHandler } from './types.js';

export function datasetRoutes(ctx: CatalogContext): Record<string, OperationHandler> {
  return {
    async listDatasets(req, res) {
      const base = baseUrl(req);
      const items = [];
      for (const d of ctx.lake.configs) items.push(datasetSummary(base, d, await ctx.lake.index(d.name)));
      res.json({ self: `${base}/datasets`, items });
    },

    async getDataset(req, res) {
      const d = datasetOr404(ctx, String(paramsOf(res)['dataset']));
      const index = await ctx.lake.index(d.name);
      const totals = index.totals();
      const [rejects, lowWatermark, lag] = await Promise.all([
        ctx.deadLetters.counts(d.name),
        ctx.watermarks.lowWatermarkMs(d).catch((err: unknown) => {
          ctx.logger.warn({ dataset: d.name, err: describeError(err) }, 'reading source checkpoints failed');
          return null;
        }),
        ctx.lag ? ctx.lag.lag(d.topic) : Promise.resolve({ lag: null, reason: 'not_configured' as const }),
      ]);
      res.json({
        name: d.name,
        description: d.description,
        topic: d.topic,
        envelope: d.envelope.type,
        schema: schemaView(d),
        partitioning: partitioningView(d),
        watermark: watermarkView(d),
        late_data: d.late_data,
        partitions: countsView(totals),
        // What the lake holds; every consumed record is a row, a duplicate or a rejection (invariant 1).
        quality: {
          consumed: totals.rows + totals.duplicates + rejects.total,
          rows: totals.rows,
          duplicates: totals.duplicates,
          late_rows: totals.lateRows,
          rejected: rejects.total,
          rejected_by_reason: rejects.by_reason,
        },
        since_start: ctx.liveCounters?.get(d.name)?.toJSON() ?? null,
        freshness: {
          newest_complete_partition: partitionRef(index.newestComplete()),
          low_watermark_at: lowWatermark === null ? null : new Date(lowWatermark).toISOString(),
          consumer_lag: lag.lag,
          consumer_lag_reason: lag.reason,
        },
      });
    },
  };
}
