/** Who is calling: a signed-in user (with a role) or a node (with its API key). */
import type { UserRole } from '@heimdall/protocol';
import type { RouteRole } from '../http/route.ts';

export type { UserRole };

export type Principal =
  | { readonly kind: 'user'; readonly userId: string; readonly username: string; readonly role: UserRole }
  | { readonly kind: 'node'; readonly nodeId: string; readonly keyId: string };

const RANK: Readonly<Record<UserRole, number>> = { viewer: 1, operator: 2, admin: 3 };

export type Access = 'allowed' | 'unauthenticated' | 'forbidden';

/** Whether `principal` may call a route that needs `role`. */
export function access(role: RouteRole, principal: Principal | undefined): Access {
  if (role === 'public') return 'allowed';
  if (principal === undefined) return 'unauthenticated';
  if (role === 'node') return principal.kind === 'node' ? 'allowed' : 'forbidden';
  if (role === 'viewer-or-node') return 'allowed';
  if (principal.kind !== 'user') return 'forbidden';
  return RANK[principal.role] >= RANK[role] ? 'allowed' : 'forbidden';
}

/** Audit-log actor of a principal. */
export function actorOf(p: Principal | undefined): { type: 'user' | 'node' | 'system'; id: string | null } {
  if (p === undefined) return { type: 'system', id: null };
  return p.kind === 'user' ? { type: 'user', id: p.userId } : { type: 'node', id: p.nodeId };
}
