/** `POST /api/v1/ingest/batch`: several binary frames in one request, answered after they are durable. */
import { FrameError } from '@heimdall/protocol';
import { ApiError, forbidden } from '../../errors.ts';
import { splitFrames } from '../../ingest/frame-split.ts';
import type { IngestService } from '../../ingest/ingest.service.ts';
import { ingestReceiptSchema } from '../api.schema.ts';
import { route, type Route } from '../route.ts';

/** Largest batch body: 16 MiB. */
export const MAX_BATCH_BYTES = 16 << 20;

export function ingestRoutes(ingest: IngestService, onReject: (reason: string) => void): Route[] {
  return [
    route({
      method: 'POST',
      url: '/api/v1/ingest/batch',
      role: 'node',
      tag: 'ingest',
      summary:
        "Store several binary frames (application/octet-stream, one after another) of the caller's node.",
      binaryBody: true,
      schema: { response: ingestReceiptSchema },
      handler: async ({ principal, rawBody }) => {
        if (principal?.kind !== 'node') throw forbidden('only nodes ingest');
        if (rawBody === undefined || rawBody.length === 0) {
          onReject('empty');
          throw new ApiError('invalid', 'the body holds no frames', {
            field: 'body',
            fix: 'send frames as application/octet-stream',
          });
        }
        let frames;
        try {
          frames = splitFrames(rawBody);
        } catch (e) {
          if (e instanceof FrameError) onReject(e.reason);
          throw e;
        }
        try {
          const r = await ingest.submit(principal.nodeId, frames);
          return {
            node_id: r.nodeId,
            accepted: r.accepted,
            duplicates: r.duplicates,
            next_sequence: r.nextSequence,
            acked: [...r.acked],
          };
        } catch (e) {
          if (e instanceof ApiError) onReject(e.reason === 'forbidden' ? 'wrong_node' : e.reason);
          throw e;
        }
      },
    }),
  ];
}
