/**
 * Avro object container files: the magic `Obj\x01`, a header map of metadata (the schema JSON as
 * written, the codec, and Iceberg's own keys), a 16-byte sync marker, then blocks of records each
 * followed by the marker. Tukang writes one uncompressed block (manifests are small).
 */
import { randomBytes } from 'node:crypto';
import { AvroReader, AvroWriter, type AvroRecord, type AvroValue } from './avro-codec.js';

const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01);

export interface AvroFile {
  schema: AvroRecord;
  metadata: Record<string, string>;
  records: Array<{ [field: string]: AvroValue }>;
}

export function writeAvroFile(schema: AvroRecord, metadata: Record<string, string>, records: ReadonlyArray<{ [field: string]: AvroValue }>): Uint8Array {
  const out = new AvroWriter();
  out.raw(MAGIC);
  const header: Array<[string, string]> = [['avro.schema', JSON.stringify(schema)], ['avro.codec', 'null'], ...Object.entries(metadata)];
  out.long(header.length);
  for (const [key, value] of header) {
    out.lengthPrefixed(Buffer.from(key, 'utf8'));
    out.lengthPrefixed(Buffer.from(value, 'utf8'));
  }
  out.long(0);
  const sync = randomBytes(16);
  out.raw(sync);
  if (records.length > 0) {
    const block = new AvroWriter();
    records.forEach((record, i) => block.value(schema, record, `${schema.name}[${i}]`));
    out.long(records.length);
    out.long(block.size);
    out.raw(block.bytes());
    out.raw(sync);
  }
  return out.bytes();
}

export function readAvroFile(bytes: Uint8Array): AvroFile {
  const reader = new AvroReader(bytes);
  const magic = reader.take(4);
  if (!magic.every((b, i) => b === MAGIC[i])) throw new TypeError('not an Avro object container file');
  const metadata: Record<string, string> = {};
  for (let count = reader.long(); count !== 0; count = reader.long()) {
    if (count < 0) {
      reader.long();
      count = -count;
    }
    for (let i = 0; i < count; i++) {
      const key = Buffer.from(reader.lengthPrefixed()).toString('utf8');
      metadata[key] = Buffer.from(reader.lengthPrefixed()).toString('utf8');
    }
  }
  const sync = reader.take(16);
  const codec = metadata['avro.codec'] ?? 'null';
  if (codec !== 'null') throw new TypeError(`Avro codec ${codec} is not supported`);
  const schema = JSON.parse(metadata['avro.schema'] ?? 'null') as AvroRecord;
  delete metadata['avro.schema'];
  delete metadata['avro.codec'];
  const records: Array<{ [field: string]: AvroValue }> = [];
  while (!reader.atEnd()) {
    const count = reader.long();
    reader.long();
    for (let i = 0; i < count; i++) records.push(reader.value(schema) as { [field: string]: AvroValue });
    const marker = reader.take(16);
    if (!marker.every((b, i) => b === sync[i])) throw new TypeError('Avro block does not end with the sync marker');
  }
  return { schema, metadata, records };
}
