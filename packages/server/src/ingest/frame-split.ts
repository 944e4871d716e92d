/**
 * Splits an HTTP ingest body (frames one after another, each with its length in its header) into
 * decoded frames. Anything malformed is a `FrameError` naming the frame's index.
 */
import {
  COMMON_HEADER_BYTES,
  decodeFrame,
  FrameError,
  MAX_FRAME_BYTES,
  type Frame,
} from '@heimdall/protocol';

export function splitFrames(body: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  let o = 0;
  while (o < body.length) {
    const rest = body.length - o;
    const where = `frames[${frames.length}]`;
    if (rest < COMMON_HEADER_BYTES)
      throw new FrameError('truncated', `${where}: ${rest} bytes left, fewer than a frame header`, where);
    const length = new DataView(body.buffer, body.byteOffset + o + 8, 4).getUint32(0, true);
    if (length > MAX_FRAME_BYTES)
      throw new FrameError(
        'oversized',
        `${where}: announces ${length} bytes, above the ${MAX_FRAME_BYTES}-byte limit`,
        where,
      );
    if (length < COMMON_HEADER_BYTES)
      throw new FrameError('truncated', `${where}: announces ${length} bytes, fewer than its header`, where);
    if (length > rest)
      throw new FrameError('truncated', `${where}: announces ${length} bytes but ${rest} remain`, where);
    try {
      frames.push(decodeFrame(body.subarray(o, o + length)));
    } catch (e) {
      if (e instanceof FrameError)
        throw new FrameError(
          e.reason,
          `${where}: ${e.message}`,
          e.field === undefined ? where : `${where}.${e.field}`,
        );
      throw e;
    }
    o += length;
  }
  return frames;
}
