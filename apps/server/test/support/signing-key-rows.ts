import assert from 'node:assert/strict';
import { reencryptSigningKey, type MasterKey, type SigningKeyRecord } from '@tessera/core';
import { query } from './cluster.js';

/** A signing key as the cluster tests read it straight from PostgreSQL. */
export interface KeyRow {
  kid: string;
  state: string;
  activated_at: string | null;
  encrypted_private_jwk: string;
}

export const keyRows = (url: string): Promise<KeyRow[]> =>
  query<KeyRow>(url, 'SELECT kid, state, activated_at, encrypted_private_jwk FROM signing_keys ORDER BY created_at, kid');

export const inState = (rows: KeyRow[], state: string): KeyRow[] => rows.filter((r) => r.state === state);

/** The invariant every step must keep: one active key, at most one next key (one algorithm configured). */
export function assertConsistent(rows: KeyRow[], what: string): void {
  assert.equal(inState(rows, 'active').length, 1, `${what}: exactly one active key: ${JSON.stringify(rows.map((r) => [r.kid, r.state]))}`);
  assert.ok(inState(rows, 'next').length <= 1, `${what}: at most one next key: ${JSON.stringify(rows.map((r) => [r.kid, r.state]))}`);
}

/** Throws unless every key's private part opens with `masterKey` (nothing was left under an older key). */
export function assertAllOpenWith(rows: KeyRow[], masterKey: MasterKey): void {
  for (const row of rows) {
    reencryptSigningKey({ kid: row.kid, encryptedPrivateJwk: row.encrypted_private_jwk } as SigningKeyRecord, masterKey, masterKey);
  }
}
