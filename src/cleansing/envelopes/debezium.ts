import type { SourceRecord } from '../../core/records.js';
import { describeValue, isPlainObject } from '../describe-value.js';
import { reject } from '../rejection.js';
import { accept, type EnvelopeResult } from './envelope.js';
import { badTime, eventTimeFrom, missingTime } from './event-fields.js';

/** The payload key that carries the change's operation next to the row's columns. */
export const DEBEZIUM_ENVELOPE_KEYS: readonly string[] = ['op'];

const ROW_OPS: ReadonlySet<unknown> = new Set(['c', 'u', 'r', 'd']);

/**
 * Debezium change events, with the JSON converter's schema wrapper (`{schema, payload}`) or
 * without it (schemas disabled). The payload is the row after the change (before it, for a
 * delete) plus `op`. Event time is `source.ts_ms`, when the change happened in the database.
 */
export function decodeDebezium(event: Record<string, unknown>, record: SourceRecord): EnvelopeResult {
  const wrapped = event['payload'];
  const change = isPlainObject(wrapped) && wrapped['op'] !== undefined ? wrapped : event;

  const op = change['op'];
  if (!ROW_OPS.has(op)) return reject('bad_envelope', `op is ${describeValue(op)}; only row changes (c, u, r, d) are materialized`);
  const rowField = op === 'd' ? 'before' : 'after';
  const row = change[rowField];
  if (!isPlainObject(row)) return reject('bad_envelope', `"${rowField}" of an op "${String(op)}" event is ${describeValue(row)}, not an object`);
  const source = change['source'];
  if (!isPlainObject(source)) return reject('bad_envelope', `"source" is ${describeValue(source)}, not an object`);

  const tsMs = source['ts_ms'];
  const eventTimeMs = eventTimeFrom(tsMs, true);
  if (eventTimeMs === undefined) return missingTime('source.ts_ms');
  if (Number.isNaN(eventTimeMs) || typeof tsMs !== 'number') return badTime('source.ts_ms', tsMs, true);

  row['op'] = op;
  return accept(changeId(source, op as string, tsMs, record), eventTimeMs, row);
}

/**
 * `db.table:position:op`. The position is the log position when the connector gives one that
 * is unique per change: Postgres `lsn`, or MySQL `file:pos:row` (`row` tells apart the rows of
 * one binlog event). The op is part of the id because a primary-key update yields a delete and a
 * create at the same position. Snapshot reads ("r") share one position for the whole snapshot,
 * and other connectors name their positions differently; those fall back to
 * `ts_ms@partition/offset`, which is unique and replays identically but does not catch a change
 * that the connector itself sent twice.
 */
function changeId(source: Record<string, unknown>, op: string, tsMs: number, record: SourceRecord): string {
  const table = `${text(source['db'])}.${text(source['table'])}`;
  if (op !== 'r') {
    const lsn = source['lsn'];
    if (isPosition(lsn)) return `${table}:${String(lsn)}:${op}`;
    const file = source['file'];
    const pos = source['pos'];
    if (typeof file === 'string' && file.length > 0 && isPosition(pos)) {
      const row = source['row'];
      return `${table}:${file}:${String(pos)}:${isPosition(row) ? String(row) : '0'}:${op}`;
    }
  }
  return `${table}:${tsMs}@${record.partition}/${record.offset}:${op}`;
}

function isPosition(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length > 0);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
