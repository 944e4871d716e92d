/** Scenario files from disk, or a built-in scenario by name (`demo`). */
import { readFileSync } from 'node:fs';
import { UserError } from '@heimdall/errors';
import {
  BUILTIN_SCENARIOS,
  compileScene,
  loadBuiltinScenario,
  parseScenario,
  type Scene,
} from '@heimdall/sim';

/** Reads and validates a scenario: a YAML/JSON file path, or a built-in name such as `demo`. */
export function loadScenario(pathOrName: string): Scene {
  const builtin = loadBuiltinScenario(pathOrName);
  if (builtin !== undefined) return compileScene(builtin);
  let text: string;
  try {
    text = readFileSync(pathOrName, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UserError(
      code === 'ENOENT' ? 'no such scenario file' : `cannot read the scenario (${code ?? String(e)})`,
      {
        source: pathOrName,
        fix: `give a YAML or JSON scenario file, or a built-in scenario: ${BUILTIN_SCENARIOS.join(', ')}`,
      },
    );
  }
  return compileScene(parseScenario(text, pathOrName));
}
