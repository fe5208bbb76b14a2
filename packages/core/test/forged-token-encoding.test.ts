// Malformed and non-canonical encodings of access tokens: each must be {"active":false}, never an error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TOKEN_LENGTH } from '@tessera/core';
import { addClient, basic, harness, isActive, issue, req, type Harness, type TestClient } from './support/harness.js';
import { b64, forge, genuineKey, goodClaims, signSegments, type GenuineKey } from './support/forge.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Same bytes, different text: flips unused low bits of the last base64url character. */
function nonCanonical(segment: string): string {
  const last = segment.at(-1)!;
  const index = ALPHABET.indexOf(last);
  const unusedBits = segment.length % 4 === 2 ? 4 : segment.length % 4 === 3 ? 2 : 0;
  assert.ok(unusedBits > 0, 'segment length leaves no unused bits');
  const changed = segment.slice(0, -1) + ALPHABET[index ^ 1]!;
  assert.deepEqual(Buffer.from(changed, 'base64url'), Buffer.from(segment, 'base64url'));
  return changed;
}

async function setup(): Promise<{ h: Harness; client: TestClient; key: GenuineKey; token: string }> {
  const h = await harness();
  const client = await addClient(h);
  const key = await genuineKey(h);
  return { h, client, key, token: await issue(h.server, client) };
}

async function inactive(h: Harness, client: TestClient, token: string): Promise<void> {
  const body = await h.server.introspect(req({ token }, basic(client.id, client.secret)));
  assert.equal(body, '{"active":false}', `accepted: ${token.slice(0, 60)}`);
}

describe('access token encoding (RFC 7515 §2, §7.1; RFC 4648 §3.5 canonical base64url)', () => {
  it('control: the issued token is active', async () => {
    const { h, client, token } = await setup();
    assert.equal(await isActive(h.server, client, token), true);
  });

  it('a non-canonical base64url signature (same bytes) is refused', async () => {
    const { h, client, token } = await setup();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    await inactive(h, client, `${header}.${payload}.${nonCanonical(signature)}`);
  });

  it('padding, standard-base64 characters and whitespace in a segment are refused', async () => {
    const { h, client, token } = await setup();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    await inactive(h, client, `${token}==`);
    await inactive(h, client, `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}${signature.includes('-') || signature.includes('_') ? '' : '+'}`);
    await inactive(h, client, ` ${token}`);
    await inactive(h, client, `${header}.${payload}.${signature.slice(0, 40)} ${signature.slice(40)}`);
  });

  it('a non-canonical header or payload segment is refused even with a valid signature over it', async () => {
    const { h, client, key } = await setup();
    const claims = goodClaims(client.id, h.clock.now());
    // A trailing space keeps the JSON valid and moves the segment length off a multiple of 4.
    const withUnusedBits = (json: string): string => (b64(json).length % 4 === 0 ? b64(`${json} `) : b64(json));
    const header = withUnusedBits(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }));
    const payload = withUnusedBits(JSON.stringify(claims));
    assert.equal(await isActive(h.server, client, signSegments(key, header, payload)), true, 'control');
    await inactive(h, client, signSegments(key, header, nonCanonical(payload)));
    await inactive(h, client, signSegments(key, nonCanonical(header), payload));
  });

  it(`a token longer than MAX_TOKEN_LENGTH (${MAX_TOKEN_LENGTH}) is refused before parsing; one at the limit is not`, async () => {
    const { h, client, key } = await setup();
    const claims = goodClaims(client.id, h.clock.now());
    const base = forge(key, { ...claims, pad: '' }).length;
    const sized = (target: number): string => {
      // Each 3 bytes of padding add 4 characters; start just below the target and step up.
      for (let pad = Math.max(0, Math.floor(((target - base) * 3) / 4) - 4); pad < 10_000; pad += 1) {
        const token = forge(key, { ...claims, pad: 'x'.repeat(pad) });
        if (token.length >= target) return token;
      }
      throw new Error('unreachable');
    };
    const atLimit = sized(MAX_TOKEN_LENGTH - 3);
    assert.ok(atLimit.length <= MAX_TOKEN_LENGTH);
    assert.equal(await isActive(h.server, client, atLimit), true);
    const over = sized(MAX_TOKEN_LENGTH + 1);
    assert.ok(over.length > MAX_TOKEN_LENGTH);
    await inactive(h, client, over);
    await inactive(h, client, 'a'.repeat(1_000_000));
  });

  it('garbage strings and empty segments are inactive', async () => {
    const { h, client, token } = await setup();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const garbage = ['x', '.', '..', '...', 'a.b.c', `.${payload}.${signature}`, `${header}..${signature}`, `${header}.${payload}.`,
      'null', '{}', '[]', '\u0000', 'é.é.é', 'Bearer ' + token, token.toUpperCase(), `${token}\n`];
    for (const value of garbage) await inactive(h, client, value);
  });

  it('two, four and five segments (including a JWE-shaped value) are inactive', async () => {
    const { h, client, token } = await setup();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    for (const value of [`${header}.${payload}`, `${token}.${signature}`, `${header}.${payload}.${signature}.x.y`, `${header}.${payload}..${signature}`]) {
      await inactive(h, client, value);
    }
  });

  it('a header or payload that is JSON but not an object is inactive', async () => {
    const { h, client, key } = await setup();
    const claims = goodClaims(client.id, h.clock.now());
    for (const body of [[claims], 'null', '"text"', '42', 'true']) {
      await inactive(h, client, signSegments(key, b64({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }), b64(body)));
    }
    for (const head of [[{ alg: 'ES256', typ: 'at+jwt', kid: key.kid }], 'null', '"ES256"']) {
      await inactive(h, client, signSegments(key, b64(head), b64(claims)));
    }
    await inactive(h, client, signSegments(key, b64({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }), b64('{"iss":')));
  });
});
