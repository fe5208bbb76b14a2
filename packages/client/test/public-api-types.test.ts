// Type-level tests of the public API. Each `@ts-expect-error` line must keep failing to compile (tsc reports
// an unused directive otherwise), and the Equal assertions pin the exact types users see.
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { test } from 'node:test';
import * as api from '@tessera/client';
import {
  createTokenManager,
  exchangeAuthorizationCode,
  OAuthError,
  TokenError,
  type AccessToken,
  type OAuthErrorCode,
  type TokenErrorCode,
  type TokenManager,
  type TokenManagerOptions,
  type TokenSet,
} from '@tessera/client';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(_value?: T): void => {};

const base = { issuer: 'https://auth.example', clientId: 'svc' };

// Compiled, never run: it would need a live issuer.
export async function typeChecks(manager: TokenManager, key: KeyObject): Promise<void> {
  expectTrue<Equal<ReturnType<typeof createTokenManager>, TokenManager>>();
  expectTrue<Equal<ReturnType<TokenManager['getToken']>, Promise<string>>>();
  expectTrue<Equal<ReturnType<TokenManager['getTokenSet']>, Promise<AccessToken>>>();
  expectTrue<Equal<ReturnType<TokenManager['fetch']>, Promise<Response>>>();
  expectTrue<Equal<ReturnType<TokenManager['close']>, void>>();
  expectTrue<Equal<TokenManager['grantType'], 'client_credentials' | 'refresh_token'>>();
  expectTrue<Equal<TokenError['code'], TokenErrorCode>>();
  expectTrue<Equal<OAuthError['code'], 'oauth_error'>>();
  expectTrue<Equal<AccessToken['expiresAt'], number>>();
  expectTrue<Equal<TokenSet['refreshToken'], string | undefined>>();
  const exchanged: TokenSet = await exchangeAuthorizationCode({ ...base, clientSecret: 's', code: 'c', redirectUri: 'https://app.example/cb', codeVerifier: 'v' });
  void exchanged;

  createTokenManager({ ...base, clientSecret: 's' });
  createTokenManager({ ...base, clientSecret: 's', clientAuthMethod: 'client_secret_post', scope: ['a', 'b'], resource: 'https://api.example' });
  createTokenManager({ ...base, privateKey: key, kid: 'k1', alg: 'ES256' });
  createTokenManager({ ...base, privateKey: '-----BEGIN PRIVATE KEY-----…', alg: 'EdDSA' });
  createTokenManager({ ...base, clientAuthMethod: 'none', refreshToken: 'rt', onRefreshToken: async (rt: string) => void rt });
  createTokenManager({ ...base, clientSecret: 's', retry: false, timeoutMs: 2000, refreshSkewSeconds: 30, clock: () => 0, fetch });
  createTokenManager({ ...base, clientSecret: 's', retry: { maxAttempts: 2 } });

  // @ts-expect-error issuer and clientId are required
  createTokenManager({ clientSecret: 's' });
  // @ts-expect-error a secret and a private key at once
  createTokenManager({ ...base, clientSecret: 's', privateKey: key });
  // @ts-expect-error private_key_jwt with a secret
  createTokenManager({ ...base, clientSecret: 's', clientAuthMethod: 'private_key_jwt' });
  // @ts-expect-error a public client has no secret
  createTokenManager({ ...base, clientSecret: 's', clientAuthMethod: 'none' });
  // @ts-expect-error never HMAC or none for assertions
  createTokenManager({ ...base, privateKey: key, alg: 'HS256' });
  // @ts-expect-error the skew is a number of seconds
  createTokenManager({ ...base, clientSecret: 's', refreshSkewSeconds: '30s' });
  // @ts-expect-error retry cannot be switched on with `true`
  createTokenManager({ ...base, clientSecret: 's', retry: true });
  const options: TokenManagerOptions = { ...base, clientSecret: 's' };
  void options;

  const token: string = await manager.getToken({ forceRefresh: true, signal: AbortSignal.timeout(1000) });
  // @ts-expect-error the access token is read-only
  (await manager.getTokenSet()).accessToken = token;
  await manager.fetch('https://api.example/orders', { method: 'POST', body: '{}' });
  await manager.fetch(new URL('https://api.example/orders'));
  await manager.fetch(new Request('https://api.example/orders'));

  try {
    await manager.getToken();
  } catch (error) {
    if (error instanceof OAuthError) {
      const code: OAuthErrorCode = error.error;
      const known: OAuthErrorCode = 'invalid_grant';
      const description: string | undefined = error.errorDescription;
      void [code, known, description];
    } else if (error instanceof TokenError) {
      // @ts-expect-error codes are a closed union
      const wrong: TokenErrorCode = 'token_bad';
      const retryable: boolean = error.retryable;
      const status: number | undefined = error.status;
      void [wrong, retryable, status];
    }
  }
}

test('the entry point exports exactly these values', () => {
  assert.deepEqual(Object.keys(api).sort(), [
    'ASSERTION_ALGORITHMS',
    'OAuthError',
    'TokenError',
    'createAuthorizationRequest',
    'createTokenManager',
    'discoverIssuer',
    'exchangeAuthorizationCode',
    'isTokenError',
  ]);
  assert.equal(typeof typeChecks, 'function');
  assert.ok(new OAuthError('invalid_grant', undefined, { endpoint: 'https://a.example/token' }) instanceof TokenError);
});
