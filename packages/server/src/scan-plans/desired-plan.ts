/**
 * Which plan a node should run, when several target its groups. The rule, in order:
 * 1. only the newest version of each plan name counts (a new version replaces the old one
 *    everywhere, also where it no longer targets the node: the node then falls to another plan, or
 *    to none);
 * 2. of those that target at least one of the node's groups, the most recently created wins
 *    (posting a plan, even unchanged, takes precedence: "last writer wins", as operators expect);
 * 3. equal creation times are decided by name, alphabetically, so every server picks the same plan.
 */
import type { ScanPlanSpec } from '@heimdall/protocol';

export function desiredPlan(
  latestVersions: readonly ScanPlanSpec[],
  nodeGroups: readonly string[],
): ScanPlanSpec | null {
  const groups = new Set(nodeGroups);
  let best: ScanPlanSpec | null = null;
  for (const p of latestVersions) {
    if (!p.target_groups.some((g) => groups.has(g))) continue;
    if (
      best === null ||
      p.created_at > best.created_at ||
      (p.created_at === best.created_at && p.name < best.name)
    )
      best = p;
  }
  return best;
}
