/** Password hashing: argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 passes). */
import { hash, verify } from '@node-rs/argon2';

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of nothing anyone knows, verified for unknown users so a login takes as long either way. */
export const DECOY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$C9bQgVzXKhFdF4S2yd+wIA$1YxoS5MA3mOXELcZDz/wgGKY2qpXqk62hYz0aheQm8A';
