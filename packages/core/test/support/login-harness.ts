// Fixtures for the login unit tests: an engine with a fast fake password hasher, a user, a public
// code+refresh client, and helpers that walk /authorize → session → code → token without HTTP.
import { createHash } from 'node:crypto';
import {
  createClient,
  createUser,
  s256,
  type AuthorizationRequest,
  type FormParams,
  type LoginOptions,
  type PasswordHasher,
  type TokenResponse,
  type UserAdminDeps,
  type UserRecord,
} from '@tessera/core';
import { FrozenClock, MemoryStore } from '@tessera/core/testing';
import { createAuthServer, MasterKey } from '@tessera/core';
import { ISSUER, RecordingSink, START, req, type Harness } from './harness.js';

/** Deterministic and fast: unit tests are about protocol, not about argon2. Counts verifications. */
export class FakeHasher implements PasswordHasher {
  verifications = 0;
  async hash(password: string): Promise<string> {
    return `fake$${createHash('sha256').update(password).digest('base64url')}`;
  }
  async verify(hash: string, password: string): Promise<boolean> {
    this.verifications++;
    return hash === (await this.hash(password));
  }
}

export const REDIRECT = 'https://app.example/cb';
export const PASSWORD = 'correct horse battery staple';
export const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

export interface LoginHarness extends Harness {
  hasher: FakeHasher;
  users: UserAdminDeps;
  user: UserRecord;
  clientId: string;
}

export async function loginHarness(login: LoginOptions = {}, clientInput: Record<string, unknown> = {}): Promise<LoginHarness> {
  const store = new MemoryStore();
  const clock = new FrozenClock(START);
  const masterKey = MasterKey.generate();
  const events = new RecordingSink();
  const hasher = new FakeHasher();
  const server = await createAuthServer({ config: { issuer: ISSUER }, store, masterKey, clock, events, login, passwordHasher: hasher });
  const admin = { store, clock, events, maxAccessTokenTtl: server.config.maxAccessTokenTtl };
  const users: UserAdminDeps = { ...admin, hasher };
  const user = await createUser(users, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
  const { client } = await createClient(admin, {
    name: 'app',
    authMethod: 'none',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [REDIRECT],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'read'],
    audiences: ['https://api.example'],
    firstParty: true,
    ...clientInput,
  });
  return { server, store, clock, events, masterKey, admin, hasher, users, user, clientId: client.id };
}

export function authorizeParams(h: LoginHarness, extra: Record<string, string | string[] | undefined> = {}): FormParams {
  const params: Record<string, string | string[]> = {
    client_id: h.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access read',
    state: 'st',
    nonce: 'n-1',
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete params[k];
    else params[k] = v;
  }
  return params;
}

export async function checkedRequest(h: LoginHarness, extra: Record<string, string | string[] | undefined> = {}): Promise<AuthorizationRequest> {
  const outcome = await h.server.login.checkAuthorization(authorizeParams(h, extra));
  if (!outcome.ok) throw new Error(`authorization request refused: ${outcome.error} ${outcome.description}`);
  return outcome.request;
}

/** Logs alice in and returns the code from the redirect URL. */
export async function obtainCode(h: LoginHarness, extra: Record<string, string | string[] | undefined> = {}): Promise<{ code: string; url: URL; sessionId: string }> {
  const request = await checkedRequest(h, extra);
  const result = await h.server.login.authenticate('alice', PASSWORD, {});
  if (!result.ok) throw new Error('login failed');
  const { session } = await h.server.login.startSession(result.user, {});
  const url = new URL(await h.server.login.issueCode(request, session));
  return { code: url.searchParams.get('code') ?? '', url, sessionId: session.id };
}

export function codeTokenRequest(h: LoginHarness, code: string, extra: Record<string, string | string[]> = {}) {
  return req({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER, client_id: h.clientId, ...extra });
}

export function refreshRequest(h: LoginHarness, refreshToken: string, extra: Record<string, string | string[]> = {}) {
  return req({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: h.clientId, ...extra });
}

export async function loginTokens(h: LoginHarness, extra: Record<string, string | string[] | undefined> = {}): Promise<TokenResponse & { sessionId: string }> {
  const { code, sessionId } = await obtainCode(h, extra);
  return { ...(await h.server.token(codeTokenRequest(h, code))), sessionId };
}

/** Whether the access token is still accepted (by /userinfo's check). */
export async function accessWorks(h: LoginHarness, accessToken: string): Promise<boolean> {
  try {
    await h.server.login.userinfo(`Bearer ${accessToken}`);
    return true;
  } catch {
    return false;
  }
}
