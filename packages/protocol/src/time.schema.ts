/** Timestamps on the REST API: ISO 8601 with an offset, e.g. `2026-01-02T03:04:05.123456Z`. */
import { z } from 'zod';

export const isoTimeSchema = z.iso.datetime({ offset: true });
