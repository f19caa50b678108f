import { REJECT_REASONS, type RejectReason } from '../../core/records.js';
import type { CatalogContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../index/cursor.js';
import { paramsOf } from '../openapi/request-validator.js';
import { badRequest } from '../problem.js';
import { withQuery } from '../views/links.js';
import { datasetOr404 } from './lookup.js';
import type { OperationHandler } from './types.js';

export function deadLetterRoutes(ctx: CatalogContext): Record<string, OperationHandler> {
  return {
    async listDeadLetters(req, res) {
      const p = paramsOf(res);
      const dataset = datasetOr404(ctx, String(p['dataset'])).name;
      const reason = REJECT_REASONS.find((r) => r === p['reason']) as RejectReason | undefined;
      let from: { object: string; line: number } | undefined;
      if (typeof p['cursor'] === 'string') {
        const cursor = decodeCursor(p['cursor'], 'd');
        if (!cursor) throw badRequest([{ name: 'cursor', in: 'query', reason: 'is not a cursor from a next link of this listing' }]);
        from = { object: cursor.o, line: cursor.l };
      }
      const [counts, page] = await Promise.all([ctx.deadLetters.counts(dataset), ctx.deadLetters.page(dataset, from, reason, Number(p['limit']))]);
      const body: Record<string, unknown> = { self: withQuery(req, {}) };
      if (page.next) body['next'] = withQuery(req, { cursor: encodeCursor({ k: 'd', o: page.next.object, l: page.next.line }) });
      body['counts'] = counts;
      body['items'] = page.items.map((l) => ({
        topic: l.topic,
        partition: l.partition,
        offset: l.offset,
        reason: l.reason,
        message: l.message,
        timestamp_at: l.timestamp_at,
        received_at: l.received_at,
        key_base64: l.key_base64,
        value_base64: l.value_base64,
      }));
      res.json(body);
    },
  };
}
