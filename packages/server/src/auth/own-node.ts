/** Node keys act for their own node only; users may act on any node their role allows. */
import { forbidden } from '../errors.ts';
import type { Principal } from './principal.ts';

/** Refuses a node key acting on another node (`what`: e.g. "read the scan plan of a node"). */
export function ensureOwnNode(principal: Principal | undefined, nodeId: string, what: string): void {
  if (principal?.kind === 'node' && principal.nodeId !== nodeId)
    throw forbidden(`a node may ${what} only its own`);
}
