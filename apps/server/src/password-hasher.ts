import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '@tessera/core';

/**
 * argon2id at OWASP's recommended minimum (m = 19456 KiB, t = 2, p = 1), ≈ 6 ms per hash on the
 * reference machine. `Algorithm.Argon2id` is a const enum (2) that verbatimModuleSyntax cannot inline.
 */
export const ARGON2ID_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const argon2idHasher: PasswordHasher = {
  hash: (password) => hash(password, ARGON2ID_OPTIONS),
  async verify(hashed, password) {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  },
};
