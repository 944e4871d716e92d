/**
 * Why a binary frame was refused. Each reason is a stable code that the ingest boundary counts in
 * its metrics and sends back as a WebSocket close reason (`frame:<reason>`), so an agent's log says
 * exactly what the server disliked.
 */
import { UserError } from '@heimdall/errors';

export const FRAME_ERROR_REASONS = [
  /** Fewer bytes than the header, or than the header's length field announces. */
  'truncated',
  /** More bytes than the length field announces, or than {@link MAX_FRAME_BYTES}. */
  'oversized',
  /** The first four bytes are not `HMDL`. */
  'bad_magic',
  /** A protocol version this build does not speak. */
  'unsupported_version',
  /** A message kind this version does not define. */
  'unknown_kind',
  /** Flag bits this version does not define. */
  'bad_flags',
  /** The number of bins does not match the bytes that follow, or the FFT size. */
  'bin_count_mismatch',
  /** A record count (detections, acked sequences) does not match the bytes that follow. */
  'count_mismatch',
  /** A field holds a value outside its range (non-finite frequency, zero sample rate, ...). */
  'bad_field',
] as const;

export type FrameErrorReason = (typeof FRAME_ERROR_REASONS)[number];

/**
 * WebSocket close codes (RFC 6455 section 7.4.1) for each reason: 1009 "message too big" for an
 * oversized frame, 1002 "protocol error" for a frame that is not ours or not our version, 1007
 * "invalid frame payload data" for the rest.
 */
const CLOSE_CODES: Readonly<Record<FrameErrorReason, number>> = {
  truncated: 1007,
  oversized: 1009,
  bad_magic: 1002,
  unsupported_version: 1002,
  unknown_kind: 1002,
  bad_flags: 1002,
  bin_count_mismatch: 1007,
  count_mismatch: 1007,
  bad_field: 1007,
};

/** A binary frame that cannot be decoded. It is bad input from a node: a {@link UserError}. */
export class FrameError extends UserError {
  readonly reason: FrameErrorReason;

  constructor(reason: FrameErrorReason, problem: string, field?: string) {
    super(problem, {
      source: 'binary frame',
      ...(field === undefined ? {} : { field }),
      fix: FIXES[reason],
    });
    this.reason = reason;
  }

  /** The WebSocket close code to end a connection that sent this frame with. */
  get closeCode(): number {
    return CLOSE_CODES[this.reason];
  }

  /** The WebSocket close reason: `frame:<reason>`, short enough for the 123-byte limit. */
  get closeReason(): string {
    return `frame:${this.reason}`;
  }
}

const FIXES: Readonly<Record<FrameErrorReason, string>> = {
  truncated: 'send each frame whole, in one message',
  oversized: 'send one frame per message, within the size limit',
  bad_magic: 'send frames made by @heimdall/protocol encoders',
  unsupported_version: 'upgrade the agent or the server so both speak the same protocol version',
  unknown_kind: 'upgrade the server, or do not send this message kind',
  bad_flags: 'upgrade the server, or clear the flags this version does not know',
  bin_count_mismatch: 'set binCount to the number of bins sent, dividing the FFT size',
  count_mismatch: 'send exactly as many records as the count field says',
  bad_field: 'check the field against the frame documentation in @heimdall/protocol',
};
