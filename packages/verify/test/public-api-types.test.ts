// Type-level tests of the public API. Each `@ts-expect-error` line must keep failing to compile (tsc reports
// an unused directive otherwise), and the Equal assertions pin the exact types users see.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import * as api from '@tessera/verify';
import {
  createVerifier,
  VerifyError,
  type RevocationCheck,
  type TesseraClaims,
  type Verifier,
  type VerifierOptions,
  type VerifyErrorCode,
} from '@tessera/verify';
import { requireAuth as expressAuth } from '@tessera/verify/express';
import { requireAuth as fastifyAuth } from '@tessera/verify/fastify';
import { requireAuth as honoAuth, type TesseraEnv } from '@tessera/verify/hono';
import { requireAuth as nodeAuth } from '@tessera/verify/node';
import type { Request as ExpressRequest } from 'express';
import type { FastifyRequest } from 'fastify';
import type { Context } from 'hono';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(_value?: T): void => {};

// Compiled, never run: it would need a live issuer.
export async function typeChecks(verifier: Verifier, token: string): Promise<void> {
  expectTrue<Equal<ReturnType<typeof createVerifier>, Promise<Verifier>>>();
  expectTrue<Equal<Awaited<ReturnType<Verifier['verify']>>, TesseraClaims>>();
  expectTrue<Equal<ReturnType<Verifier['verifySync']>, TesseraClaims>>();
  expectTrue<Equal<ReturnType<Verifier['verifyFast']>, TesseraClaims | Promise<TesseraClaims>>>();
  expectTrue<Equal<ReturnType<Verifier['close']>, Promise<void>>>();
  expectTrue<Equal<TesseraClaims['scopes'], readonly string[]>>();
  expectTrue<Equal<TesseraClaims['aud'], string | readonly string[]>>();
  expectTrue<Equal<TesseraClaims['sid'], string | undefined>>();
  expectTrue<Equal<VerifyError['code'], VerifyErrorCode>>();
  expectTrue<Equal<NonNullable<VerifierOptions['algorithms']>[number], 'ES256' | 'EdDSA' | 'RS256'>>();

  const claims = await verifier.verify(token, { scopes: ['read'] });
  const sub: string = claims.sub;
  const exp: number = claims.exp;
  // @ts-expect-error claims are read-only
  claims.sub = 'admin';
  // @ts-expect-error scopes are read-only
  claims.scopes.push('admin');
  // @ts-expect-error no such claim is typed
  void claims.subject;
  // @ts-expect-error verifySync is not a promise
  await verifier.verifySync(token).then(() => {});
  void [sub, exp];

  // @ts-expect-error issuer and audience are required
  await createVerifier({});
  // @ts-expect-error audience is required
  await createVerifier({ issuer: 'https://issuer.example' });
  // @ts-expect-error never HMAC
  await createVerifier({ issuer: 'https://i.example', audience: 'a', algorithms: ['HS256'] });
  // @ts-expect-error never none
  await createVerifier({ issuer: 'https://i.example', audience: 'a', algorithms: ['none'] });
  // @ts-expect-error revocations need a client secret
  await createVerifier({ issuer: 'https://i.example', audience: 'a', revocations: { clientId: 'rs' } });
  // @ts-expect-error revocations cannot be switched on with `true`
  await createVerifier({ issuer: 'https://i.example', audience: 'a', revocations: true });
  // @ts-expect-error onStale is a closed set
  await createVerifier({ issuer: 'https://i.example', audience: 'a', revocations: { clientId: 'rs', clientSecret: 's', onStale: 'ignore' } });
  // @ts-expect-error clockTolerance is a number of seconds, not a string
  await createVerifier({ issuer: 'https://i.example', audience: ['a'], clockTolerance: '5s' });
  await createVerifier({ issuer: 'https://i.example', audience: ['a', 'b'], algorithms: ['EdDSA'], revocations: false, clock: () => 0 });

  try {
    verifier.verifySync(token);
  } catch (error) {
    if (error instanceof VerifyError) {
      // @ts-expect-error codes are a closed union
      const wrong: VerifyErrorCode = 'token_bad';
      const code: VerifyErrorCode = error.code;
      const unavailable: boolean = error.unavailable;
      void [wrong, code, unavailable];
    }
  }

  // Middleware: claims are typed on each framework's request or context.
  expressAuth({ verifier, scopes: ['read'] });
  expectTrue<Equal<ExpressRequest['auth'], TesseraClaims | undefined>>();
  fastifyAuth({ verifier, allowQueryToken: true });
  expectTrue<Equal<FastifyRequest['auth'], TesseraClaims | undefined>>();
  honoAuth({ verifier, realm: 'api' });
  const fromHono = (c: Context<TesseraEnv>): TesseraClaims => c.get('auth');
  // @ts-expect-error c.get('auth') is the claims, not a string
  const wrongHono = (c: Context<TesseraEnv>): string => c.get('auth');
  void [fromHono, wrongHono];
  const node: (req: IncomingMessage, res: ServerResponse) => Promise<TesseraClaims | undefined> = nodeAuth({ verifier });
  void node;
  // @ts-expect-error the verifier is required
  expressAuth({ scopes: ['read'] });
  // @ts-expect-error scopes are strings
  fastifyAuth({ verifier, scopes: [1] });
}

// The revocation hook is implementable exactly as documented.
export const noRevocations: RevocationCheck = {
  isRevoked: (claims: { jti: string; sub: string; client_id: string; iat: number; sid?: string; fam?: string }, kid: string) => claims.jti === kid,
  assertFresh: () => {},
  close: async () => {},
};

test('the main entry exports only framework-free values', () => {
  assert.deepEqual(Object.keys(api).sort(), ['MAX_TOKEN_LENGTH', 'SUPPORTED_ALGORITHMS', 'VerifyError', 'createVerifier', 'hasScopes', 'isVerifyError']);
  assert.equal(typeof typeChecks, 'function');
});
