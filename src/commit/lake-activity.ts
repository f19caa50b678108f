/**
 * A process-wide counter per dataset metadata root, bumped after every open-marker write or delete
 * and every change record this process makes. Readers that poll S3 for those (the completeness
 * check's open-marker listing, the catalog's change-log tail) compare it with the value they last
 * saw: unchanged means nothing in this process changed them, so an idle instance can poll slowly.
 * Writes by other processes are still only found by polling.
 */
const generations = new Map<string, number>();

export function noteLakeActivity(metaRoot: string): void {
  generations.set(metaRoot, (generations.get(metaRoot) ?? 0) + 1);
}

export function lakeActivity(metaRoot: string): number {
  return generations.get(metaRoot) ?? 0;
}
