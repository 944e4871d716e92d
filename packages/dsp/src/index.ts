export * from './units.ts';
export * from './iq-format.ts';
export * from './window.ts';
export * from './fft.ts';
export * from './welch.ts';
export * from './spectrogram.ts';
export * from './detect/index.ts';
export * from './embedded-wasm.ts';
