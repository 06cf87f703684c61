/** Password hashes: argon2id with OWASP's parameters (19 MiB, 2 passes), by @node-rs/argon2's native code. */
import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../../app/ports.js';

export const argon2Hasher: PasswordHasher = {
  // @node-rs/argon2's defaults are argon2id, m=19456 KiB, t=2, p=1.
  hash: (password) => hash(password),
  verify: (stored, password) => verify(stored, password).catch(() => false),
};
