/**
 * The Iceberg REST Catalog protocol, read-only, under `/iceberg`: one namespace holding a table
 * per dataset (and per late-data side table). Load-table answers with the newest committed
 * metadata version and the storage settings a client needs to read the files (endpoint, path
 * style, region; credentials are the client's own). Property names follow the Iceberg REST spec
 * (kebab-case), not this API's snake_case: clients parse them as the protocol defines.
 */
import type { TukangConfig } from '../../config/schema.js';
import { TableStore } from '../../iceberg/table-store.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { LakeLayout } from '../../lake/lake-layout.js';
import type { CatalogContext } from '../context.js';
import { paramsOf } from '../openapi/request-validator.js';
import { notFound } from '../problem.js';
import type { OperationHandler } from './types.js';

export interface IcebergRouteSettings {
  s3: TukangConfig['s3'];
  iceberg: TukangConfig['iceberg'];
}

/** What `GET /v1/config` advertises, so clients call HEAD instead of falling back to GET. */
const ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
];

export function icebergRoutes(ctx: CatalogContext, store: ObjectStore, settings: IcebergRouteSettings): Record<string, OperationHandler> {
  const tables = new TableStore(store, new LakeLayout(settings.s3.prefix), settings.s3.bucket);
  const namespace = settings.iceberg.namespace;
  const tableNames = (): string[] => ctx.lake.configs.flatMap((d) => (d.late_data === 'side_table' ? [d.name, `${d.name}_late`] : [d.name]));
  const namespaceOr404 = (res: Parameters<OperationHandler>[1]): void => {
    const asked = String(paramsOf(res)['namespace']);
    if (asked !== namespace) throw notFound(`no namespace ${asked}; the catalog serves ${namespace}`);
  };
  const tableOr404 = async (res: Parameters<OperationHandler>[1]) => {
    namespaceOr404(res);
    const name = String(paramsOf(res)['table']);
    if (!tableNames().includes(name)) throw notFound(`no table ${namespace}.${name}`);
    const loaded = await tables.latest(name);
    if (!loaded) throw notFound(`table ${namespace}.${name} has no snapshot yet`);
    return loaded;
  };
  const storageConfig = (): Record<string, string> => ({
    ...(settings.s3.endpoint ? { 's3.endpoint': settings.s3.endpoint } : {}),
    's3.path-style-access': String(settings.s3.force_path_style),
    's3.region': settings.s3.region,
    'client.region': settings.s3.region,
  });

  return {
    icebergGetConfig(_req, res) {
      res.json({ defaults: {}, overrides: {}, endpoints: ENDPOINTS });
    },

    icebergListNamespaces(_req, res) {
      // One level: a parent has no children.
      res.json({ namespaces: paramsOf(res)['parent'] === undefined ? [[namespace]] : [] });
    },

    icebergGetNamespace(_req, res) {
      namespaceOr404(res);
      res.json({ namespace: [namespace], properties: { comment: 'Tukang datasets, one Iceberg table each (read-only).' } });
    },

    icebergHeadNamespace(_req, res) {
      namespaceOr404(res);
      res.status(204).end();
    },

    icebergListTables(_req, res) {
      namespaceOr404(res);
      res.json({ identifiers: tableNames().map((name) => ({ namespace: [namespace], name })) });
    },

    async icebergLoadTable(_req, res) {
      const loaded = await tableOr404(res);
      res.json({ 'metadata-location': tables.uri(loaded.key), metadata: loaded.metadata, config: storageConfig() });
    },

    async icebergHeadTable(_req, res) {
      await tableOr404(res);
      res.status(204).end();
    },
  };
}
