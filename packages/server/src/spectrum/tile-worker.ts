/**
 * Entry point of the tile worker thread (bundled as dist/tile-worker.js): holds the bands'
 * roll-ups and answers each batch with its compressed tiles. See tile-encoder.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TileEncoderCore, type TileEncoderOptions } from './tile-encoder.ts';
import { CodesBufferCache, type TileWorkerRequest, type TileWorkerResponse } from './tile-worker-client.ts';

const port = parentPort;
if (port === null) throw new Error('the tile worker must run in a worker thread');
const core = new TileEncoderCore(workerData as TileEncoderOptions);
const buffers = new CodesBufferCache();
port.on('message', (m: TileWorkerRequest) => {
  if (m.type === 'drop') {
    core.drop(m.bandIds);
    return;
  }
  let reply: TileWorkerResponse;
  try {
    const { frames } = m.request;
    buffers.use(frames.codesId, frames.codes);
    buffers.forget(m.forget);
    const tiles = core.encode({ ...m.request, frames: { ...frames, codes: buffers.get(frames.codesId) } });
    reply = { id: m.id, tiles };
    port.postMessage(
      reply,
      tiles.map((t) => t.data.buffer as ArrayBuffer),
    );
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    port.postMessage(reply);
  }
});
