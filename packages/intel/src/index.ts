export * from './geodesy.ts';
export * from './fix.ts';
export * from './gcc-phat.ts';
export * from './nodes.ts';
export * from './tdoa.ts';
export * from './power.ts';
export * from './band-power.ts';
export * from './synthetic-trial.ts';
