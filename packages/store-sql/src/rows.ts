import type { ChangeEntry, ClientRecord, SigningKeyRecord } from '@tessera/core';
import type { Row, SqlValue } from './driver.js';

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export const clientFromRow = (row: Row): ClientRecord => JSON.parse(String(row['doc'])) as ClientRecord;

export const clientToParams = (client: ClientRecord): SqlValue[] => [client.id, client.createdAt, JSON.stringify(client)];

export function keyFromRow(row: Row): SigningKeyRecord {
  return {
    kid: String(row['kid']),
    alg: String(row['alg']) as SigningKeyRecord['alg'],
    state: String(row['state']) as SigningKeyRecord['state'],
    publicJwk: JSON.parse(String(row['public_jwk'])) as Record<string, unknown>,
    encryptedPrivateJwk: String(row['encrypted_private_jwk']),
    createdAt: num(row['created_at']),
    activatedAt: numOrNull(row['activated_at']),
    retiredAt: numOrNull(row['retired_at']),
    removeAfter: numOrNull(row['remove_after']),
    revokedAt: numOrNull(row['revoked_at']),
  };
}

export const keyToParams = (key: SigningKeyRecord): SqlValue[] => [
  key.kid,
  key.alg,
  key.state,
  JSON.stringify(key.publicJwk),
  key.encryptedPrivateJwk,
  key.createdAt,
  key.activatedAt,
  key.retiredAt,
  key.removeAfter,
  key.revokedAt,
];

export function changeFromRow(row: Row): ChangeEntry {
  return {
    seq: num(row['seq']),
    kind: String(row['kind']) as ChangeEntry['kind'],
    target: String(row['target']),
    createdAt: num(row['created_at']),
    expiresAt: num(row['expires_at']),
  };
}
