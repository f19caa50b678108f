import { stringify } from 'yaml';
import type { TukangConfig } from '../../config/schema.js';
import { TukangError } from '../../errors/catalogue.js';
import { resolveRef, type LoadedDocument, type OpenApiDocument, type OpenApiParameter } from './document.js';

const PREVIEW = '/datasets/{dataset}/partitions/{partition}/preview';

/**
 * The document as this instance serves and enforces it: the repo's YAML with the values that
 * depend on the config filled in, so a client (or a contract tester) reads the limits the
 * server applies: the preview's `limit` maximum is `catalog.preview_max_rows`, and `servers`
 * names `catalog.public_url` when one is set.
 */
export function servedDocument(loaded: LoadedDocument, settings: TukangConfig['catalog']): LoadedDocument {
  const document = structuredClone(loaded.document) as OpenApiDocument;
  const preview = document.paths[PREVIEW]?.['get'];
  const limit = preview?.parameters?.map((p) => resolveRef<OpenApiParameter>(document, p)).find((p) => p.name === 'limit' && p.in === 'query');
  if (!limit) throw new TukangError('CATALOG_DEFINITION_INVALID', `the OpenAPI document has no limit parameter on GET ${PREVIEW}`);
  limit.schema = { ...limit.schema, maximum: settings.preview_max_rows };
  if (settings.public_url !== null) document['servers'] = [{ url: settings.public_url }];
  return { document, json: JSON.stringify(document), yaml: stringify(document) };
}
