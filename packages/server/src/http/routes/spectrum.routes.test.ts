import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeFrame, type SpectrumBand, type SpectrumTileJson } from '@heimdall/protocol';
import { spectrum } from '../../ingest/ingest-harness.ts';
import { inflateTile } from '../../spectrum/spectrum-tiles.ts';
import { startHarness, type Harness } from '../server-harness.ts';

describe('spectrum history API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('ingested frames come back as the band and its tiles, code for code, at zoom 0 and rolled up at zoom 1', async () => {
    const node = await h.enroll();
    const frames = Array.from({ length: 8 }, (_, i) => spectrum(node.nodeId, i));
    const r = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/batch',
      headers: { authorization: `Bearer ${node.apiKey}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.concat(frames),
    });
    assert.equal(r.statusCode, 200, r.body);
    const auth = { authorization: `Bearer ${await h.token('viewer')}` };
    const bands = (
      await h.server.app.inject({ url: `/api/v1/nodes/${node.nodeId}/bands`, headers: auth })
    ).json() as { items: SpectrumBand[] };
    assert.equal(bands.items.length, 1);
    const band = bands.items[0] as SpectrumBand;
    assert.equal(band.center_hz, 100e6);
    assert.equal(band.bin_count, 64);
    const q = (zoom: number) =>
      h.server.app.inject({
        url: `/api/v1/spectrum/tiles?band_id=${band.id}&from=2026-06-01T11:00:00Z&to=2026-06-01T13:00:00Z&zoom=${zoom}`,
        headers: auth,
      });
    const z0 = (await q(0)).json() as { items: SpectrumTileJson[] };
    const rows = z0.items.reduce((n, t) => n + t.rows, 0);
    assert.equal(rows, 8);
    const tile = await inflateTile(
      new Uint8Array(Buffer.from((z0.items[0] as SpectrumTileJson).data, 'base64')),
    );
    const first = decodeFrame(frames[0] as Uint8Array);
    assert.equal(first.kind, 'spectrum');
    if (first.kind === 'spectrum')
      assert.deepEqual([...(tile.planes[0] as Uint8Array).subarray(0, 64)], [...first.bins]);
    const z1 = (await q(1)).json() as { items: SpectrumTileJson[] };
    assert.equal(
      z1.items.reduce((n, t) => n + t.frames, 0),
      8,
    );
    assert.equal(
      z1.items.reduce((n, t) => n + t.rows, 0),
      2,
      '4 frames a row at zoom 1',
    );
    const stats = (await h.server.app.inject({ url: '/api/v1/stats', headers: auth })).json() as {
      ingest: { frames_received: number };
      spectrum: { bands: number; tiles: number; stored_bytes: number };
    };
    assert.ok(stats.ingest.frames_received >= 8);
    assert.ok(stats.spectrum.bands >= 1 && stats.spectrum.tiles >= 1 && stats.spectrum.stored_bytes > 0);
    const missing = await h.server.app.inject({
      url: `/api/v1/spectrum/tiles?band_id=999999&from=2026-06-01T11:00:00Z&to=2026-06-01T13:00:00Z&zoom=0`,
      headers: auth,
    });
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.json() as { field: string }).field, 'band_id');
    const badZoom = await h.server.app.inject({
      url: `/api/v1/spectrum/tiles?band_id=${band.id}&from=2026-06-01T11:00:00Z&to=2026-06-01T13:00:00Z&zoom=9`,
      headers: auth,
    });
    assert.equal(badZoom.statusCode, 400);
    assert.equal((badZoom.json() as { field: string }).field, 'zoom');
  });
});
