// Feed pages are trusted only when signed by the issuer's key (docs/revocation-feed.md, "Verifying a page"):
// every way of forging or bending a page is refused before anything in it is used.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { FeedPageError, verifyFeedPage, type FeedPage } from '../dist/revocations/index.js';

const ISSUER = 'https://issuer.example';
const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed25519 = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys: Record<string, KeyObject> = { es: es256.publicKey, ed: ed25519.publicKey, rs: rsa.publicKey };
const getKey = (kid: string): KeyObject | undefined => keys[kid];

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const payload = (overrides: Partial<FeedPage> = {}): FeedPage => ({
  iss: ISSUER,
  iat: 1_767_225_600,
  since: 0,
  snapshot: true,
  cursor: 7,
  more: false,
  entries: [
    { seq: 3, kind: 'token', target: '6f1c0a52-33b7-4d47-9d43-5d1c9b3e2a10', created_at: 1, expires_at: 2 },
    { seq: 7, kind: 'client', target: 'tc_abc', created_at: 3, expires_at: 4 },
  ],
  ...overrides,
});

function signed(body: unknown, header: Record<string, unknown> = { alg: 'ES256', typ: 'tessera-revocations+jwt', kid: 'es' }, key = es256.privateKey): string {
  const input = `${b64(header)}.${b64(body)}`;
  const digest = header['alg'] === 'EdDSA' ? null : 'sha256';
  return `${input}.${sign(digest, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function refused(jws: string, pattern: RegExp, retryable = false): void {
  assert.throws(
    () => verifyFeedPage(jws, ISSUER, getKey),
    (error: unknown) => error instanceof FeedPageError && pattern.test(error.message) && error.retryable === retryable,
  );
}

test('a page signed with the named key is accepted for ES256, EdDSA and RS256', () => {
  assert.deepEqual(verifyFeedPage(signed(payload()), ISSUER, getKey), payload());
  const ed = signed(payload(), { alg: 'EdDSA', typ: 'tessera-revocations+jwt', kid: 'ed' }, ed25519.privateKey);
  assert.equal(verifyFeedPage(ed, ISSUER, getKey).cursor, 7);
  const rs = signed(payload(), { alg: 'RS256', typ: 'tessera-revocations+jwt', kid: 'rs' }, rsa.privateKey);
  assert.equal(verifyFeedPage(rs, ISSUER, getKey).entries.length, 2);
});

test('a tampered payload or signature is refused', () => {
  const [head, , sig] = signed(payload()).split('.');
  refused(`${head}.${b64(payload({ entries: [] }))}.${sig}`, /signature is invalid/);
  const bytes = Buffer.from(sig ?? '', 'base64url');
  bytes[5] = (bytes[5] ?? 0) ^ 1;
  refused(`${head}.${b64(payload())}.${bytes.toString('base64url')}`, /signature is invalid/);
  refused(signed(payload(), undefined, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), /signature is invalid/);
});

test('unsigned pages, a wrong typ, foreign header members and algorithm confusion are refused', () => {
  refused(`${b64({ alg: 'none', typ: 'tessera-revocations+jwt', kid: 'es' })}.${b64(payload())}.`, /algorithm does not match/);
  refused(signed(payload(), { alg: 'ES256', typ: 'at+jwt', kid: 'es' }), /wrong typ/);
  refused(signed(payload(), { alg: 'ES256', kid: 'es' }), /wrong typ/);
  refused(signed(payload(), { alg: 'ES256', typ: 'tessera-revocations+jwt', kid: 'es', crit: ['b64'], b64: false }), /unexpected members/);
  refused(signed(payload(), { alg: 'ES256', typ: 'tessera-revocations+jwt', kid: 'es', jku: 'https://evil.example' }), /unexpected members/);
  refused(signed(payload(), { alg: 'HS256', typ: 'tessera-revocations+jwt', kid: 'es' }), /algorithm does not match/);
  refused(signed(payload(), { alg: 'EdDSA', typ: 'tessera-revocations+jwt', kid: 'es' }, ed25519.privateKey), /algorithm does not match/);
  refused(signed(payload(), { alg: 'ES256', typ: 'tessera-revocations+jwt' }), /names no key/);
});

test('an unknown kid is refused as retryable (the key set may not have caught up yet)', () => {
  refused(signed(payload(), { alg: 'ES256', typ: 'tessera-revocations+jwt', kid: 'next-key' }), /unknown key/, true);
});

test('another issuer, malformed payloads and out-of-order entries are refused', () => {
  refused(signed(payload({ iss: 'https://other.example' })), /another server/);
  refused(signed({ ...payload(), cursor: '7' }), /payload is malformed/);
  refused(signed({ ...payload(), snapshot: 'yes' }), /payload is malformed/);
  const [first, second] = payload().entries;
  refused(signed(payload({ entries: [second!, first!] })), /out of order/);
  refused(signed(payload({ since: 5 })), /out of order/);
  refused(signed(payload({ cursor: 5 })), /out of order/);
  refused(signed(payload({ entries: [{ ...first!, kind: 'everything' as never }] })), /entry is malformed/);
  refused(signed(payload({ entries: [{ ...first!, seq: -1 }] })), /entry is malformed/);
  refused(signed([payload()]), /not a JSON object/);
});

test('non-canonical base64url and structural garbage are refused', () => {
  const jws = signed(payload());
  const [head, body, sig] = jws.split('.');
  refused(`${head}=.${body}.${sig}`, /not canonical base64url/);
  refused(`${head}.${body}.${sig}.extra`, /not a compact JWS/);
  refused('not-a-jws', /not a compact JWS/);
  refused(`${b64('{"alg":"ES256"')}.${body}.${sig}`, /header is not JSON/);
});
