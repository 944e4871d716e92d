export * from './sigmf-meta.ts';
export * from './recording.ts';
export * from './sigmf-writer.ts';
export * from './tar.ts';
export * from './sweep-csv.ts';
export * from './sweep-stitcher.ts';
export { findJsonSyntaxError, type JsonSyntaxError } from './json-syntax.ts';
