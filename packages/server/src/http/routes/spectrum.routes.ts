/** Spectrum history: a node's bands, and the waterfall tiles of one band over a time range at one zoom. */
import {
  spectrumBandListSchema,
  spectrumTileQuerySchema,
  spectrumTilesSchema,
  type SpectrumBand,
} from '@heimdall/protocol';
import type { Database } from '../../database/database.ts';
import { notFound } from '../../errors.ts';
import { isoToNs, nsToIso } from '../../ns-time.ts';
import { SpectrumTileRepository, type BandRecord } from '../../repositories/spectrum-tile.repository.ts';
import type { SpectrumTileStore } from '../../spectrum/spectrum-tiles.ts';
import { idParamsSchema } from '../api.schema.ts';
import { route, type Route } from '../route.ts';

function bandJson(b: BandRecord): SpectrumBand {
  return {
    id: b.id,
    node_id: b.nodeId,
    center_hz: b.centerHz,
    sample_rate_hz: b.sampleRateHz,
    fft_size: b.fftSize,
    bin_count: b.binCount,
    first_at: b.firstAt.toISOString(),
    last_at: b.lastAt.toISOString(),
  };
}

export function spectrumRoutes(db: Database, tiles: SpectrumTileStore): Route[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/nodes/:id/bands',
      role: 'viewer',
      tag: 'spectrum',
      summary: "A node's bands (frequency axes it has sent spectra on).",
      schema: { params: idParamsSchema, response: spectrumBandListSchema },
      handler: async ({ params }) => ({
        items: (await new SpectrumTileRepository(db).listBands(params.id)).map(bandJson),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/spectrum/tiles',
      role: 'viewer',
      tag: 'spectrum',
      summary:
        'Waterfall tiles of one band over a time range at one zoom (0: every frame; z: 4^z frames a row).',
      schema: { querystring: spectrumTileQuerySchema, response: spectrumTilesSchema },
      handler: async ({ query }) => {
        const band = await new SpectrumTileRepository(db).getBand(query.band_id);
        if (band === undefined) throw notFound('band', 'band_id');
        const found = await tiles.query({
          bandId: band.id,
          fromNs: isoToNs(query.from),
          toNs: isoToNs(query.to),
          zoom: query.zoom,
        });
        return {
          band: bandJson(band),
          items: found.map((t) => ({
            zoom: t.zoom,
            start_time: nsToIso(t.startNs),
            end_time: nsToIso(t.endNs),
            rows: t.rows,
            frames: t.frames,
            stored: t.stored,
            data: Buffer.from(t.data).toString('base64'),
          })),
        };
      },
    }),
  ];
}
