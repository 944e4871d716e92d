/**
 * Branded quantities: a `Hz` cannot be passed where `Samples` is wanted without saying so.
 * The brands cost nothing at run time; the constructors are identity functions that document intent.
 */
declare const unit: unique symbol;
type Unit<U extends string> = number & { readonly [unit]: U };

/** Frequency in hertz (absolute RF frequency or offset, as the name of the field says). */
export type Hz = Unit<'Hz'>;
/** Power ratio in decibels. */
export type Db = Unit<'dB'>;
/** Power relative to a full-scale complex sinusoid (|x| = 1), in decibels. */
export type Dbfs = Unit<'dBFS'>;
/** A count of complex samples (one sample = one I/Q pair, per channel). */
export type Samples = Unit<'samples'>;
/** Time in seconds. */
export type Seconds = Unit<'s'>;
/** Distance in metres. */
export type Meters = Unit<'m'>;

export const hz = (x: number): Hz => x as Hz;
export const db = (x: number): Db => x as Db;
export const dbfs = (x: number): Dbfs => x as Dbfs;
export const samples = (x: number): Samples => x as Samples;
export const seconds = (x: number): Seconds => x as Seconds;
export const meters = (x: number): Meters => x as Meters;
