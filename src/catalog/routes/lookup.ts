import type { DatasetConfig } from '../../config/schema.js';
import type { CatalogContext } from '../context.js';
import { partitionPathOf } from '../index/partition-id.js';
import { badRequest, notFound } from '../problem.js';
import type { PartitionState } from '../../lake/metadata-types.js';

export function datasetOr404(ctx: CatalogContext, name: string): DatasetConfig {
  const dataset = ctx.lake.dataset(name);
  if (!dataset) throw notFound(`no dataset ${name}`);
  return dataset;
}

export async function partitionOr404(ctx: CatalogContext, dataset: string, id: string): Promise<PartitionState> {
  const path = partitionPathOf(id);
  if (path === undefined) throw badRequest([{ name: 'partition', in: 'path', reason: 'is not a partition id (like 2026-11-21T10, or 2026-11-21T10~field=value)' }]);
  const found = await ctx.lake.state(dataset, path);
  if (!found) throw notFound(`no partition ${id} in dataset ${dataset}`);
  return found.state;
}
