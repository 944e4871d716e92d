/**
 * `npm run bench`: Heimdall's figures next to reference figures measured in the same run on the
 * same machine. Machines here are noisy: read the ratios, not the absolute times.
 *
 * Sections run in order; `npm run bench -- welch` runs only the sections whose name matches.
 */
import { sections } from './bench/sections.ts';

const filters = process.argv.slice(2);
const chosen = sections.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));
if (chosen.length === 0) {
  console.error(
    `no bench section matches ${filters.join(', ')}; sections: ${sections.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}
for (const section of chosen) {
  console.log(`\n== ${section.name}: ${section.title}`);
  await section.run();
}
