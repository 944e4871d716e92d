/**
 * The rtl_tcp wire protocol (as spoken by librtlsdr's rtl_tcp and its clients: GNU Radio's
 * gr-osmosdr, SDR++, GQRX, SDR#):
 *
 * - server -> client, once on connect: 12 bytes `RTL0`, tuner type (u32 BE), gain count (u32 BE);
 *   then raw cu8 samples (I, Q interleaved, offset binary around 127.5) for as long as it lasts.
 * - client -> server: 5-byte commands, 1 byte code + u32 BE parameter.
 */

export const RTL_TCP_MAGIC = 'RTL0';
export const HEADER_BYTES = 12;
export const COMMAND_BYTES = 5;

/** Tuner types of librtlsdr's `enum rtlsdr_tuner`. */
export const TUNER = { unknown: 0, e4000: 1, fc0012: 2, fc0013: 3, fc2580: 4, r820t: 5, r828d: 6 } as const;

/** Gains (tenths of a dB) an R820T tuner offers, in the order clients index them (command 0x0d). */
export const R820T_GAINS_TENTHS: readonly number[] = [
  0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280, 297, 328, 338, 364, 372, 386, 402,
  421, 434, 439, 445, 480, 496,
];

export const COMMAND = {
  setFrequency: 0x01,
  setSampleRate: 0x02,
  setGainMode: 0x03,
  setGain: 0x04,
  setFrequencyCorrection: 0x05,
  setIfGain: 0x06,
  setTestMode: 0x07,
  setAgcMode: 0x08,
  setDirectSampling: 0x09,
  setOffsetTuning: 0x0a,
  setRtlXtal: 0x0b,
  setTunerXtal: 0x0c,
  setGainByIndex: 0x0d,
  setBiasTee: 0x0e,
} as const;

export type CommandName = keyof typeof COMMAND;

export interface RtlTcpCommand {
  readonly code: number;
  /** The name of a known command, or undefined for codes rtl_tcp does not define. */
  readonly name: CommandName | undefined;
  /** The parameter as unsigned 32-bit. */
  readonly param: number;
  /** The parameter as signed 32-bit (frequency correction is signed). */
  readonly signedParam: number;
}

const NAMES = new Map<number, CommandName>(Object.entries(COMMAND).map(([k, v]) => [v, k as CommandName]));

/** The 12-byte greeting. */
export function encodeHeader(tunerType: number, gainCount: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = RTL_TCP_MAGIC.charCodeAt(i);
  view.setUint32(4, tunerType >>> 0, false);
  view.setUint32(8, gainCount >>> 0, false);
  return out;
}

export interface RtlTcpHeader {
  readonly tunerType: number;
  readonly gainCount: number;
}

/** Parses a greeting; undefined when the bytes are not one. */
export function decodeHeader(bytes: Uint8Array): RtlTcpHeader | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  for (let i = 0; i < 4; i++) if (bytes[i] !== RTL_TCP_MAGIC.charCodeAt(i)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  return { tunerType: view.getUint32(4, false), gainCount: view.getUint32(8, false) };
}

export function encodeCommand(code: number, param: number): Uint8Array {
  const out = new Uint8Array(COMMAND_BYTES);
  out[0] = code & 0xff;
  new DataView(out.buffer).setUint32(1, param >>> 0, false);
  return out;
}

/**
 * Splits a byte stream into 5-byte commands, whatever the TCP segmentation. Holds at most 4
 * bytes between calls, so a client that floods garbage costs no memory.
 */
export class CommandDecoder {
  private readonly pending = new Uint8Array(COMMAND_BYTES);
  private have = 0;

  push(bytes: Uint8Array, onCommand: (c: RtlTcpCommand) => void): void {
    let i = 0;
    while (i < bytes.length) {
      const take = Math.min(COMMAND_BYTES - this.have, bytes.length - i);
      this.pending.set(bytes.subarray(i, i + take), this.have);
      this.have += take;
      i += take;
      if (this.have === COMMAND_BYTES) {
        this.have = 0;
        const p = this.pending;
        const param = ((p[1]! << 24) | (p[2]! << 16) | (p[3]! << 8) | p[4]!) >>> 0;
        onCommand({ code: p[0]!, name: NAMES.get(p[0]!), param, signedParam: param | 0 });
      }
    }
  }
}
