/**
 * Password hashing, a port: core never picks the algorithm. apps/server implements it with argon2id
 * (@node-rs/argon2, m=19456 KiB, t=2, p=1 — OWASP's minimum). `hash` returns a self-describing string
 * (PHC format); `verify` resolves false (never throws) for a wrong password or an unparsable hash.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** Refuses to work: the default when no hasher is configured, so a misconfiguration is loud. */
export const noPasswordHasher: PasswordHasher = {
  hash: () => Promise.reject(new Error('no password hasher is configured')),
  verify: () => Promise.resolve(false),
};
