import type { CellValue, SourceRecord } from '../core/records.js';
import type { RecordDecoder } from '../cleansing/decode.js';
import type { PartitionPaths } from './partition-paths.js';
import type { DecodedBatch, DecodeReject } from './row-intake.js';

/** A decoded batch's summary for routing, and the values of its ok records (undefined where rejected), for the store. */
export interface DecodedRecords {
  summary: DecodedBatch;
  values: Array<CellValue[] | undefined>;
}

/** Decodes one batch with the dataset's decoder: the one loop both row stores (in-process and worker) run. */
export function decodeRecords(
  records: readonly SourceRecord[],
  decode: RecordDecoder,
  paths: PartitionPaths,
  batchId: number,
  sourcePartition: number,
): DecodedRecords {
  const count = records.length;
  const pathIndex = new Int32Array(count);
  const eventTimeMs = new Float64Array(count);
  const eventIds = new Array<string>(count);
  const values = new Array<CellValue[] | undefined>(count);
  const rejects: DecodeReject[] = [];
  const pathList: string[] = [];
  const pathStarts: number[] = [];
  const indexOfPath = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const result = decode(records[i] as SourceRecord);
    if (!result.ok) {
      pathIndex[i] = -1;
      eventIds[i] = '';
      rejects.push({ index: i, reason: result.reason, message: result.message });
      continue;
    }
    const event = result.event;
    const { path, startMs } = paths.of(event);
    let index = indexOfPath.get(path);
    if (index === undefined) {
      index = pathList.length;
      indexOfPath.set(path, index);
      pathList.push(path);
      pathStarts.push(startMs);
    }
    pathIndex[i] = index;
    eventIds[i] = event.eventId;
    eventTimeMs[i] = event.eventTimeMs;
    values[i] = event.values;
  }
  return { summary: { batchId, sourcePartition, count, pathIndex, paths: pathList, pathStarts, eventIds, eventTimeMs, rejects }, values };
}
