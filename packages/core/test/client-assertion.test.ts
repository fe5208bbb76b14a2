import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT, base64url, calculateJwkThumbprint } from 'jose';
import { disableClient } from '@tessera/core';
import { ISSUER, harness, parts, rejectsWith, req, sibling, type Harness } from './support/harness.js';
import { JWT_BEARER, addKeyClient, assertion, assertionParams, clientKey, type AssertionOptions } from './support/assertions.js';

async function setup(alg = 'ES256') {
  const h = await harness();
  const key = await clientKey(alg);
  const client = await addKeyClient(h, [key]);
  const token = (options: AssertionOptions = {}) => assertion(h, client.id, key, options);
  return { h, key, client, token };
}

const tokenWith = (h: Harness, jwt: string) => h.server.token(req(assertionParams(jwt)));

describe('RFC 7523 §2.2 private_key_jwt client authentication', () => {
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256']) {
    it(`accepts a valid ${alg} assertion`, async () => {
      const { h, client, token } = await setup(alg);
      const response = await tokenWith(h, await token());
      assert.equal(parts(response.access_token).payload['client_id'], client.id);
    });
  }

  it('accepts the issuer and the endpoint URLs as aud, and a matching client_id parameter', async () => {
    const { h, client, token } = await setup();
    for (const aud of [ISSUER, `${ISSUER}/token`, [`https://elsewhere.example`, ISSUER]]) {
      assert.ok((await tokenWith(h, await token({ aud }))).access_token);
    }
    assert.ok((await h.server.token(req(assertionParams(await token(), { client_id: client.id })))).access_token);
  });

  it('answers invalid_request for a wrong client_assertion_type or an assertion without type', async () => {
    const { h, token } = await setup();
    const jwt = await token();
    await rejectsWith(h.server.token(req({ grant_type: 'client_credentials', client_assertion_type: 'urn:x', client_assertion: jwt })), 'invalid_request');
    await rejectsWith(h.server.token(req({ grant_type: 'client_credentials', client_assertion: jwt })), 'invalid_request');
    await rejectsWith(h.server.token(req({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER })), 'invalid_request');
  });
});

describe('RFC 7523 §3 assertion checks (each answers invalid_client)', () => {
  it('§3 item 7: a replayed jti is refused', async () => {
    const { h, token } = await setup();
    const jwt = await token();
    await tokenWith(h, jwt);
    await rejectsWith(tokenWith(h, jwt), 'invalid_client', 401);
    await rejectsWith(tokenWith(h, await token({ jti: JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti as string })), 'invalid_client');
  });

  it('§3 item 4: an expired assertion is refused, beyond the clock skew', async () => {
    const { h, token } = await setup();
    await rejectsWith(tokenWith(h, await token({ expIn: -31 })), 'invalid_client', 401);
    const jwt = await token({ expIn: 60 });
    h.clock.advance(91_000);
    await rejectsWith(tokenWith(h, jwt), 'invalid_client', 401);
  });

  it('§3 item 3: an audience that is not this server is refused', async () => {
    const { h, token } = await setup();
    for (const aud of ['https://other.example', `${ISSUER}/`, `${ISSUER}/jwks`]) {
      await rejectsWith(tokenWith(h, await token({ aud })), 'invalid_client', 401);
    }
  });

  it('§3 items 1–2: iss must equal sub, the client id', async () => {
    const { h, token } = await setup();
    await rejectsWith(tokenWith(h, await token({ iss: 'tc_someone_else' })), 'invalid_client', 401);
    await rejectsWith(tokenWith(h, await token({ sub: 'tc_someone_else' })), 'invalid_client', 401);
    await rejectsWith(h.server.token(req(assertionParams(await token(), { client_id: 'tc_other' }))), 'invalid_client', 401);
  });

  it('a missing jti or exp is refused', async () => {
    const { h, token } = await setup();
    await rejectsWith(tokenWith(h, await token({ jti: null })), 'invalid_client', 401);
    await rejectsWith(tokenWith(h, await token({ jti: '' })), 'invalid_client', 401);
    await rejectsWith(tokenWith(h, await token({ expIn: null })), 'invalid_client', 401);
  });

  it('a lifetime beyond maxClientAssertionTtl (300 s) is refused; exactly 300 s is accepted', async () => {
    const { h, token } = await setup();
    await rejectsWith(tokenWith(h, await token({ expIn: 301 })), 'invalid_client', 401);
    assert.ok((await tokenWith(h, await token({ expIn: 300 }))).access_token);
  });

  it('an assertion not yet valid (nbf beyond the skew) is refused', async () => {
    const { h, token } = await setup();
    await rejectsWith(tokenWith(h, await token({ nbfIn: 120 })), 'invalid_client', 401);
  });

  it('HS256 assertions are refused, whatever the shared secret', async () => {
    const { h, client, key } = await setup();
    const jwkSecret = new TextEncoder().encode(await calculateJwkThumbprint(key.publicJwk));
    const rawSecret = createHash('sha256').update(JSON.stringify(key.publicJwk)).digest();
    for (const secret of [jwkSecret, rawSecret]) {
      const now = Math.floor(h.clock.now() / 1000);
      const jwt = await new SignJWT({ jti: `j-${secret.length}` }).setProtectedHeader({ alg: 'HS256', kid: key.kid })
        .setIssuer(client.id).setSubject(client.id).setAudience(ISSUER).setIssuedAt(now).setExpirationTime(now + 60).sign(secret);
      await rejectsWith(tokenWith(h, jwt), 'invalid_client', 401);
    }
  });

  it('alg none assertions are refused', async () => {
    const { h, client, key } = await setup();
    const now = Math.floor(h.clock.now() / 1000);
    const payload = { iss: client.id, sub: client.id, aud: ISSUER, exp: now + 60, iat: now, jti: 'none-1' };
    const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
    for (const alg of ['none', 'None', 'NONE']) {
      await rejectsWith(tokenWith(h, `${enc({ alg, kid: key.kid })}.${enc(payload)}.`), 'invalid_client', 401);
    }
  });

  it('an assertion signed by a key the client did not register is refused (same kid or another)', async () => {
    const { h, client, key } = await setup();
    const sameKid = await clientKey('ES256', key.kid);
    const otherKid = await clientKey('ES256');
    await rejectsWith(tokenWith(h, await assertion(h, client.id, sameKid)), 'invalid_client', 401);
    await rejectsWith(tokenWith(h, await assertion(h, client.id, otherKid)), 'invalid_client', 401);
    const embedded = await assertion(h, client.id, otherKid, { header: { jwk: otherKid.publicJwk } });
    await rejectsWith(tokenWith(h, embedded), 'invalid_client', 401);
  });

  it('a disabled client cannot authenticate with a valid assertion', async () => {
    const { h, client, token } = await setup();
    await disableClient(h.admin, client.id);
    await h.server.sync();
    await rejectsWith(tokenWith(h, await token()), 'invalid_client', 401);
  });

  it('a private_key_jwt client cannot fall back to a secret', async () => {
    const { h, client } = await setup();
    const header = `Basic ${Buffer.from(`${client.id}:anything`).toString('base64')}`;
    await rejectsWith(h.server.token(req({ grant_type: 'client_credentials' }, header)), 'invalid_client', 401);
  });
});

describe('RFC 7523 §3 item 7: replay protection across instances and time', () => {
  it('an assertion used at one engine is refused at another engine over the same store', async () => {
    const { h, token } = await setup();
    const other = await sibling(h);
    const jwt = await token();
    await tokenWith(h, jwt);
    await rejectsWith(tokenWith(other, jwt), 'invalid_client', 401);
  });

  it('an assertion stays refused after its jti record is pruned, because it has expired by then', async () => {
    const { h, token } = await setup();
    const jwt = await token({ expIn: 60 });
    await tokenWith(h, jwt);
    h.clock.advance(90_001);
    await h.server.prune();
    await rejectsWith(tokenWith(h, jwt), 'invalid_client', 401);
  });
});

describe('private_key_jwt at the introspection and revocation endpoints', () => {
  it('authenticates with aud = the endpoint URL', async () => {
    const { h, client, token } = await setup();
    const issued = (await tokenWith(h, await token())).access_token;
    const introspection = { client_assertion_type: JWT_BEARER, client_assertion: await token({ aud: `${ISSUER}/introspect` }) };
    assert.equal(JSON.parse(await h.server.introspect(req({ token: issued, ...introspection }))).client_id, client.id);
    const revocation = { client_assertion_type: JWT_BEARER, client_assertion: await token({ aud: `${ISSUER}/revoke` }) };
    await h.server.revoke(req({ token: issued, ...revocation }));
    const again = { client_assertion_type: JWT_BEARER, client_assertion: await token() };
    assert.equal(await h.server.introspect(req({ token: issued, ...again })), '{"active":false}');
  });
});
