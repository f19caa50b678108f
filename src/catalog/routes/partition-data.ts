import type { PartitionManifest } from '../../lake/metadata-types.js';
import { partitionManifestSchema } from '../../lake/metadata-schemas.js';
import { readMetadata } from '../../lake/read-metadata.js';
import { TukangError } from '../../errors/catalogue.js';
import { type ObjectStore } from '../../storage/object-store.js';
import type { CatalogContext } from '../context.js';
import { UnknownColumnError } from '../lake/parquet-preview.js';
import { paramsOf } from '../openapi/request-validator.js';
import { badRequest, HttpProblem, notFound } from '../problem.js';
import { datasetOr404, partitionOr404 } from './lookup.js';
import type { OperationHandler } from './types.js';

/** Manifests and previews: what a loader downloads and what an analyst looks at. */
export function partitionDataRoutes(ctx: CatalogContext, store: ObjectStore, bucket: string): Record<string, OperationHandler> {
  const s3Prefix = `s3://${bucket}/`;
  return {
    async getPartitionManifest(_req, res) {
      const p = paramsOf(res);
      const dataset = datasetOr404(ctx, String(p['dataset'])).name;
      const id = String(p['partition']);
      const state = await partitionOr404(ctx, dataset, id);
      const wanted = typeof p['version'] === 'number' ? p['version'] : undefined;
      const version =
        wanted === undefined ? state.versions.filter((v) => v.manifest !== null && v.completed_at !== null).at(-1) : state.versions.find((v) => v.version === wanted);
      if (wanted !== undefined && !version) throw notFound(`partition ${id} has no version ${wanted}`);
      if (!version?.manifest || version.completed_at === null) {
        throw new HttpProblem('MANIFEST_UNAVAILABLE', `partition ${id} has no complete version${wanted === undefined ? '' : ` ${wanted}`} yet, so no manifest`);
      }
      const manifest = (await readMetadata(store, version.manifest, partitionManifestSchema))?.value;
      if (!manifest) throw new TukangError('METADATA_CORRUPT', `manifest ${version.manifest} is named by the state but missing`);
      // An older version's files left the Hive folder when a newer version replaced them: serve
      // the URLs where they are now (until garbage collection, after replay.retention).
      const current = new Set(state.files.map((f) => f.uri));
      const whereNow = (url: string): string =>
        manifest.version === state.version || current.has(url) || !url.startsWith(s3Prefix) ? url : `${s3Prefix}${ctx.lake.layout.supersededFile(url.slice(s3Prefix.length))}`;
      const entries = await Promise.all(
        manifest.entries.map(async (e) => {
          const url = whereNow(e.url);
          const entry: Record<string, unknown> = { url, mandatory: e.mandatory, meta: e.meta };
          if (p['presign'] === true && ctx.presigner && e.url.startsWith(s3Prefix)) entry['download_url'] = await ctx.presigner.presign(url.slice(s3Prefix.length));
          return entry;
        }),
      );
      // presigned URLs expire: such answers must not be revalidated into a 304 later.
      if (p['presign'] === true) res.setHeader('Cache-Control', 'no-store');
      res.json({ dataset, partition: id, version: manifest.version, rows: manifest.rows, created_at: manifest.created_at, entries });
    },

    async getPartitionPreview(_req, res) {
      const p = paramsOf(res);
      const dataset = datasetOr404(ctx, String(p['dataset'])).name;
      const id = String(p['partition']);
      const limit = Number(p['limit']);
      // The served document's maximum is catalog.preview_max_rows, so the validator enforced it.
      const state = await partitionOr404(ctx, dataset, id);
      const columns = typeof p['columns'] === 'string' ? p['columns'].split(',') : undefined;
      try {
        const preview = await ctx.previewer.preview(state.files, limit, columns);
        res.json({ dataset, partition: id, version: state.version, columns: preview.columns, rows: preview.rows });
      } catch (err) {
        if (err instanceof UnknownColumnError) throw badRequest([{ name: 'columns', in: 'query', reason: `no column ${err.column} in this partition` }]);
        throw err;
      }
    },
  };
}
