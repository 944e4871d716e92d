export * from './analyzer.ts';
export * from './detection.ts';
