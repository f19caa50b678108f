import type { DatasetIndex } from './dataset-index.js';

const MAX_PAGES = 256;

/**
 * Listing pages already rendered from one index at its current generation, by request URL (and
 * link base). Loaders poll the same queries again and again; while the index has not changed
 * the page is the same, and rebuilding ~100 summaries per request was most of a listing's
 * garbage. Any change of the index (its generation) empties its cache.
 */
export class PageCache {
  private readonly byIndex = new WeakMap<DatasetIndex, { generation: number; pages: Map<string, Record<string, unknown>> }>();

  get(index: DatasetIndex, key: string): Record<string, unknown> | undefined {
    const entry = this.byIndex.get(index);
    return entry?.generation === index.generation ? entry.pages.get(key) : undefined;
  }

  set(index: DatasetIndex, key: string, page: Record<string, unknown>): void {
    let entry = this.byIndex.get(index);
    if (!entry || entry.generation !== index.generation) {
      entry = { generation: index.generation, pages: new Map() };
      this.byIndex.set(index, entry);
    }
    if (entry.pages.size >= MAX_PAGES) entry.pages.clear();
    entry.pages.set(key, page);
  }
}
