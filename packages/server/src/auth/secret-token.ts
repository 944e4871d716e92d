/**
 * Random bearer secrets (node API keys, enrollment tokens) and their stored form. They carry 256
 * random bits, so a fast SHA-256 is a safe stored form (argon2 is for low-entropy passwords).
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new secret: `<prefix>_<43 base64url chars>`. */
export function newSecret(prefix: 'hnk' | 'hne'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The first characters of a secret, safe to show and store for recognising a key. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, 10);
}
