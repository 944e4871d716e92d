import type { Command } from '../command.ts';
import { analyzeCommand } from './analyze.command.ts';
import { demoCommand } from './demo.command.ts';
import { psdCommand } from './psd.command.ts';
import { simRunCommand, simServeCommand } from './sim.command.ts';

/** Every verb of `heimdall`, in the order `heimdall --help` lists them. */
export const commands: readonly Command[] = [
  demoCommand,
  psdCommand,
  analyzeCommand,
  simRunCommand,
  simServeCommand,
];
