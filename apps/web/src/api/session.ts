/**
 * The signed-in user: the access token lives in memory and in sessionStorage (survives a reload,
 * not a closed tab; never localStorage, so it does not outlive the browser session). The role
 * decides what the pages offer; the server enforces it anyway.
 */
export type Role = 'viewer' | 'operator' | 'admin';

export interface Session {
  readonly token: string;
  readonly username: string;
  readonly role: Role;
  /** ms since the epoch when the token expires. */
  readonly expiresAt: number;
}

const KEY = 'heimdall.session';
let current: Session | undefined;
const listeners = new Set<(s: Session | undefined) => void>();

function isRole(v: unknown): v is Role {
  return v === 'viewer' || v === 'operator' || v === 'admin';
}

export function loadSession(storage: Pick<Storage, 'getItem'> = sessionStorage): Session | undefined {
  if (current !== undefined) return current;
  try {
    const raw = storage.getItem(KEY);
    if (raw === null) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.username !== 'string' || !isRole(s.role)) return undefined;
    if (typeof s.expiresAt !== 'number' || s.expiresAt < Date.now()) return undefined;
    current = { token: s.token, username: s.username, role: s.role, expiresAt: s.expiresAt };
    return current;
  } catch {
    return undefined;
  }
}

export function setSession(s: Session | undefined): void {
  current = s;
  if (s === undefined) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(s));
  for (const l of listeners) l(s);
}

export function onSession(l: (s: Session | undefined) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Roles that may change nodes and create enrollment tokens. */
export function canOperate(s: Session | undefined): boolean {
  return s?.role === 'operator' || s?.role === 'admin';
}

/** The claims of a JWT (not verified: the server does that; the page only reads the expiry). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) return {};
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export { isRole };
