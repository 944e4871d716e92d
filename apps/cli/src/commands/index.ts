import type { Command } from '../command.ts';

/** A verb and how to load it: modules load on demand, so `heimdall psd` starts without the simulator or the server. */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

/** Every verb of `heimdall`, in the order `heimdall --help` lists them. */
export const commands: readonly CommandEntry[] = [
  { name: 'server', load: async () => (await import('./server.command.ts')).serverCommand },
  { name: 'demo', load: async () => (await import('./demo.command.ts')).demoCommand },
  { name: 'agent', load: async () => (await import('./agent.command.ts')).agentCommand },
  { name: 'psd', load: async () => (await import('./psd.command.ts')).psdCommand },
  { name: 'analyze', load: async () => (await import('./analyze.command.ts')).analyzeCommand },
  { name: 'localize', load: async () => (await import('./localize.command.ts')).localizeCommand },
  {
    name: 'eval detect',
    load: async () => (await import('./eval-detect.command.ts')).evalDetectCommand,
  },
  {
    name: 'eval localize',
    load: async () => (await import('./eval-localize.command.ts')).evalLocalizeCommand,
  },
  {
    name: 'eval anomalies',
    load: async () => (await import('./eval-anomalies.command.ts')).evalAnomaliesCommand,
  },
  {
    name: 'anomalies train',
    load: async () => (await import('./anomalies.command.ts')).anomaliesTrainCommand,
  },
  {
    name: 'anomalies detect',
    load: async () => (await import('./anomalies.command.ts')).anomaliesDetectCommand,
  },
  { name: 'sim run', load: async () => (await import('./sim.command.ts')).simRunCommand },
  { name: 'sim serve', load: async () => (await import('./sim.command.ts')).simServeCommand },
];
