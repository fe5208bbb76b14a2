import { randomBytes } from 'node:crypto';
import { sha256 } from '../encoding.js';

/** The ids Tessera gives clients: `tc_` and 16 base64url characters (96 random bits). */
const CLIENT_ID_SHAPE = /^tc_[A-Za-z0-9_-]{16}$/;

export function newClientId(): string {
  return `tc_${randomBytes(12).toString('base64url')}`;
}

/**
 * A presented client id as events, logs, alerts and rate-limit keys record it, before or after it was
 * checked. A value without the shape of a client id is often a credential in the wrong place (id and
 * secret swapped, a token or a password sent as client_id), so it is recorded as `unrecognised:` and a
 * SHA-256 prefix: repeats still group together for the detectors and limits, and nothing is revealed.
 */
export function reportedClientId(presented: string): string {
  return CLIENT_ID_SHAPE.test(presented) ? presented : `unrecognised:${sha256(presented).slice(0, 16)}`;
}
