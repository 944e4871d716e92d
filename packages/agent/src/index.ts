export * from './rtl-tcp/rtl-tcp.protocol.ts';
export * from './rtl-tcp/rtl-tcp.server.ts';
export type { TunableSource } from './rtl-tcp/tunable-source.ts';
export { SimSource } from './sim/sim-source.ts';
export { loadScenario } from './sim/scenario-file.ts';
export * from './sim/sim-run.service.ts';
