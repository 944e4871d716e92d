/** Spectrum history on the REST API: a node's bands, and tiles of one band at one zoom. */
import { z } from 'zod';
import { isoTimeSchema } from './time.schema.ts';
import { MAX_ZOOM } from './tile-codec.ts';

export const spectrumBandSchema = z.object({
  id: z.number().int().positive(),
  node_id: z.uuid(),
  center_hz: z.number(),
  sample_rate_hz: z.number().positive(),
  fft_size: z.number().int().positive(),
  bin_count: z.number().int().positive(),
  first_at: isoTimeSchema,
  last_at: isoTimeSchema,
});
export type SpectrumBand = z.infer<typeof spectrumBandSchema>;

/** `GET /api/v1/spectrum/tiles` query string. */
export const spectrumTileQuerySchema = z
  .object({
    band_id: z.coerce.number().int().positive(),
    from: isoTimeSchema,
    to: isoTimeSchema,
    /** 0: every frame; z: one row per 4^z frames (max-hold and mean). */
    zoom: z.coerce.number().int().min(0).max(MAX_ZOOM),
  })
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type SpectrumTileQuery = z.infer<typeof spectrumTileQuerySchema>;

export const spectrumBandListSchema = z.object({ items: z.array(spectrumBandSchema) });

/** One tile of `GET /api/v1/spectrum/tiles`. */
export const spectrumTileSchema = z.object({
  zoom: z.number().int().min(0).max(MAX_ZOOM),
  start_time: isoTimeSchema,
  end_time: isoTimeSchema,
  rows: z.number().int().positive(),
  frames: z.number().int().positive(),
  /** False for a tile rolled up from finer zooms at query time (not stored yet). */
  stored: z.boolean(),
  /** The tile layout of tile-codec.ts, deflated (zlib), base64. */
  data: z.string(),
});
export type SpectrumTileJson = z.infer<typeof spectrumTileSchema>;

export const spectrumTilesSchema = z.object({ band: spectrumBandSchema, items: z.array(spectrumTileSchema) });
