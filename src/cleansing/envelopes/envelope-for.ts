import type { DatasetConfig } from '../../config/schema.js';
import { decodeCloudEvent } from './cloudevents.js';
import { DEBEZIUM_ENVELOPE_KEYS, decodeDebezium } from './debezium.js';
import type { Envelope } from './envelope.js';
import { createJsonEnvelope } from './json.js';
import { NAKADI_ENVELOPE_KEYS, decodeNakadi } from './nakadi.js';

/** The envelope a dataset's config names. */
export function envelopeFor(dataset: DatasetConfig): Envelope {
  const config = dataset.envelope;
  switch (config.type) {
    case 'nakadi':
      return { decode: decodeNakadi, envelopeKeys: NAKADI_ENVELOPE_KEYS };
    case 'cloudevents':
      return { decode: decodeCloudEvent, envelopeKeys: [] };
    case 'debezium':
      return { decode: decodeDebezium, envelopeKeys: DEBEZIUM_ENVELOPE_KEYS };
    case 'json':
      return createJsonEnvelope(dataset.name, config);
  }
}
