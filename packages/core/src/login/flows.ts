import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestContext } from '../audit/events.js';
import { digestsEqual, randomToken, sha256 } from '../encoding.js';
import type { Engine } from '../engine.js';
import { AUTHORIZATION_CODE_PREFIX } from '../grants/authorization-code.js';
import { checkAccessToken } from '../endpoints/access-token-check.js';
import { OAuthError } from '../errors.js';
import { userClaims } from '../oidc/claims.js';
import { verifyIdTokenHint } from '../oidc/id-token-hint.js';
import { revokeSession, type UserAdminDeps } from '../users/users.js';
import { authorizationResponseUrl, checkAuthorizationRequest, type AuthorizationRequest, type AuthorizeErrorCode, type AuthorizeOutcome } from './authorize-request.js';
import type { SessionRecord, UserRecord } from './model.js';
import { accountTag, LoginThrottle } from './throttle.js';
import { deviceAuthorizationEndpoint, normaliseUserCode, type DeviceAuthorizationResponse } from './device.js';
import type { ClientRecord } from '../model.js';
import type { EndpointRequest } from '../request.js';
import type { DeviceCodeRecord } from './model.js';
import { usernameKey } from './username.js';

export type LoginResult =
  | { ok: true; user: UserRecord }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * What the hosted pages (login, consent, logout) and /userinfo do, free of HTTP: each method takes
 * checked values and returns facts; the HTTP layer renders and sets cookies.
 */
export class LoginFlows {
  readonly #engine: Engine;
  /** A hash of a random password made once by this engine's hasher, so an unknown user costs a real verify. */
  #dummyHash: Promise<string> | undefined;
  readonly throttle: LoginThrottle;
  /** Wrong user codes per IP: guessing a live code needs ~2^34 tries, and each miss slows the next. */
  readonly deviceThrottle: LoginThrottle;

  constructor(engine: Engine) {
    this.#engine = engine;
    this.throttle = new LoginThrottle(engine.clock);
    this.deviceThrottle = new LoginThrottle(engine.clock, { freeFailures: 5, maxDelayMs: 60_000 });
  }

  /** RFC 8628 §3.1: POST /device_authorization. */
  deviceAuthorization(request: EndpointRequest): Promise<DeviceAuthorizationResponse> {
    return deviceAuthorizationEndpoint(this.#engine, request);
  }

  /** The pending device authorization a person's typed code names; rate limited per IP. */
  async findDeviceCode(
    input: string,
    context: RequestContext,
  ): Promise<{ ok: true; device: DeviceCodeRecord; client: ClientRecord } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterSeconds: number }> {
    const wait = this.deviceThrottle.waitMs(`device:${context.ip ?? '-'}`, context.ip);
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };
    const code = normaliseUserCode(input.slice(0, 64));
    const device = code ? await this.#engine.store.findDeviceCodeByUserCode(code, this.#engine.clock.now()) : undefined;
    const client = device ? await this.#engine.clients.get(device.clientId) : undefined;
    if (!device || device.state !== 'pending' || !client || client.disabled) {
      this.deviceThrottle.failed(`device:${context.ip ?? '-'}`, context.ip);
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, device, client };
  }

  /**
   * The signed-in user approves or denies a device. Approval starts a session of its own for the device
   * (so signing out of this browser does not sign the device out; `sessions revoke` can).
   */
  async decideDevice(device: DeviceCodeRecord, user: UserRecord, browserSession: SessionRecord, approve: boolean, context: RequestContext): Promise<boolean> {
    const e = this.#engine;
    const now = e.clock.now();
    let changed: boolean;
    if (approve) {
      const { session } = await this.startSession(user, context);
      changed = await e.store.updateDeviceCode(device.hash, { state: 'pending' }, { state: 'approved', userId: user.id, sessionId: session.id, authTime: browserSession.authTime });
    } else {
      changed = await e.store.updateDeviceCode(device.hash, { state: 'pending' }, { state: 'denied', userId: user.id });
    }
    if (changed) e.events.emit({ type: 'device.decided', time: now, clientId: device.clientId, subject: user.id, approved: approve, outcome: 'success' });
    return changed;
  }

  get config() {
    return this.#engine.login.config;
  }

  #adminDeps(): UserAdminDeps {
    const e = this.#engine;
    return { store: e.store, clock: e.clock, events: e.events, hasher: e.login.hasher, maxAccessTokenTtl: e.config.maxAccessTokenTtl };
  }

  checkAuthorization(params: Parameters<typeof checkAuthorizationRequest>[1]): Promise<AuthorizeOutcome> {
    return checkAuthorizationRequest(this.#engine.clients, params);
  }

  /** Username + password. Same answer and comparable time whether the user is unknown, disabled or the password wrong. */
  async authenticate(username: string, password: string, context: RequestContext): Promise<LoginResult> {
    const e = this.#engine;
    const account = usernameKey(username.slice(0, 256));
    const wait = this.throttle.waitMs(account, context.ip);
    if (wait > 0) {
      e.events.emit({ type: 'login.failed', time: e.clock.now(), account: accountTag(account), ip: context.ip, userAgent: context.userAgent, outcome: 'failure', reason: 'throttled' });
      return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };
    }
    const user = username.length <= 256 ? await e.store.findUserByUsername(username) : undefined;
    let valid = false;
    if (user?.passwordHash && password.length <= 1024) {
      valid = await e.login.hasher.verify(user.passwordHash, password);
    } else {
      this.#dummyHash ??= e.login.hasher.hash(randomBytes(16).toString('base64url')).catch(() => '');
      const hash = await this.#dummyHash;
      if (hash) await e.login.hasher.verify(hash, password.slice(0, 1024));
    }
    if (!user || !valid || user.disabled) {
      this.throttle.failed(account, context.ip);
      e.events.emit({
        type: 'login.failed',
        time: e.clock.now(),
        subject: user?.id,
        account: accountTag(account),
        ip: context.ip,
        userAgent: context.userAgent,
        outcome: 'failure',
        reason: !user ? 'unknown_user' : user.disabled && valid ? 'user_disabled' : 'wrong_password',
      });
      return { ok: false, reason: 'invalid_credentials' };
    }
    this.throttle.succeeded(account);
    return { ok: true, user };
  }

  /** Starts a login session after a successful authentication; `cookie` is the session cookie's value. */
  async startSession(user: UserRecord, context: RequestContext): Promise<{ session: SessionRecord; cookie: string }> {
    const e = this.#engine;
    const now = e.clock.now();
    const secret = randomBytes(32).toString('base64url');
    const session: SessionRecord = {
      id: `ts_${randomBytes(12).toString('base64url')}`,
      secretHash: sha256(secret),
      userId: user.id,
      authTime: now,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.config.sessionAbsoluteTtl * 1000,
      endedAt: null,
      ip: context.ip ?? null,
      userAgent: context.userAgent?.slice(0, 300) ?? null,
    };
    await e.store.insertSession(session);
    e.events.emit({ type: 'login.succeeded', time: now, subject: user.id, sessionId: session.id, ip: context.ip, userAgent: context.userAgent, outcome: 'success' });
    return { session, cookie: `${session.id}.${secret}` };
  }

  /** The open session with this id and its (enabled) user, or undefined; records activity for the idle timeout. */
  async currentSession(cookie: string | undefined): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
    if (!cookie || cookie.length > 200) return undefined;
    const [sessionId = '', secret = ''] = cookie.split('.');
    const e = this.#engine;
    const now = e.clock.now();
    const session = await e.store.getSession(sessionId);
    if (!session || !digestsEqual(sha256(secret), session.secretHash)) return undefined;
    if (session.endedAt !== null || session.expiresAt <= now) return undefined;
    if (session.lastSeenAt + this.config.sessionIdleTtl * 1000 <= now) return undefined;
    const user = await e.store.getUser(session.userId);
    if (!user || user.disabled) return undefined;
    if (now - session.lastSeenAt > 60_000) await e.store.touchSession(session.id, now);
    return { session, user };
  }

  /** Whether the user must be asked: never for first-party clients, otherwise unless a remembered consent covers the scopes. */
  async consentNeeded(request: AuthorizationRequest, user: UserRecord): Promise<boolean> {
    if (request.client.firstParty) return false;
    if (request.prompt === 'consent') return true;
    const consent = await this.#engine.store.getConsent(user.id, request.client.id);
    return !consent || request.scopes.some((s) => !consent.scopes.includes(s));
  }

  async giveConsent(request: AuthorizationRequest, user: UserRecord, context: RequestContext = {}): Promise<void> {
    const e = this.#engine;
    const now = e.clock.now();
    const previous = await e.store.getConsent(user.id, request.client.id);
    const scopes = [...new Set([...(previous?.scopes ?? []), ...request.scopes])];
    await e.store.saveConsent({ userId: user.id, clientId: request.client.id, scopes, updatedAt: now });
    e.events.emit({ type: 'consent.given', time: now, clientId: request.client.id, subject: user.id, scope: request.scopes.join(' '), ip: context.ip, userAgent: context.userAgent, outcome: 'success' });
  }

  /** Issues a code for the session and returns the redirect URL carrying it (with state and iss). */
  async issueCode(request: AuthorizationRequest, session: SessionRecord): Promise<string> {
    const e = this.#engine;
    const now = e.clock.now();
    const code = randomToken(AUTHORIZATION_CODE_PREFIX);
    await e.store.insertAuthorizationCode({
      hash: sha256(code),
      clientId: request.client.id,
      userId: session.userId,
      sessionId: session.id,
      redirectUri: request.redirectUri,
      scopes: request.scopes,
      resources: request.resources,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      authTime: session.authTime,
      familyId: `tf_${randomUUID()}`,
      createdAt: now,
      expiresAt: now + this.config.authorizationCodeTtl * 1000,
      consumedAt: null,
    });
    return authorizationResponseUrl(request.redirectUri, e.config.issuer, { code, state: request.state });
  }

  errorRedirect(redirectUri: string, state: string | null, error: AuthorizeErrorCode, description: string): string {
    return authorizationResponseUrl(redirectUri, this.#engine.config.issuer, { error, error_description: description, state });
  }

  /** OIDC Core §5.3: the claims the access token's scopes release. Throws OAuthError (401/403) otherwise. */
  async userinfo(authorization: string | undefined): Promise<Record<string, unknown>> {
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(authorization ?? '');
    if (!match?.[1]) throw new OAuthError('invalid_request', 'a bearer access token is required', { status: 401 });
    const status = checkAccessToken(this.#engine, match[1]);
    if (!status.active) throw new OAuthError('invalid_grant', 'the access token is invalid, expired or revoked', { status: 401, detail: status.reason });
    const claims = status.token.claims;
    const scopes = (claims.scope ?? '').split(' ');
    if (!scopes.includes('openid')) throw new OAuthError('insufficient_scope', 'the access token lacks the openid scope');
    const user = await this.#engine.store.getUser(claims.sub);
    if (!user || user.disabled) throw new OAuthError('invalid_grant', 'the access token is invalid, expired or revoked', { status: 401, detail: 'no such user' });
    return userClaims(user, scopes);
  }

  /**
   * RP-initiated logout (OIDC RP-Initiated Logout 1.0): ends the session (its refresh tokens are revoked,
   * its access tokens die through the session watermark). Returns where to send the browser, if anywhere.
   */
  async logout(
    params: { idTokenHint?: string; postLogoutRedirectUri?: string; clientId?: string; state?: string },
    sessionId: string | undefined,
    context: RequestContext = {},
  ): Promise<{ redirectTo: string | null }> {
    const e = this.#engine;
    let clientId = params.clientId;
    if (params.idTokenHint) {
      const hint = verifyIdTokenHint(e, params.idTokenHint);
      if (!hint) throw new OAuthError('invalid_request', 'id_token_hint is not a valid ID token from this server');
      if (clientId !== undefined && clientId !== hint.aud) throw new OAuthError('invalid_request', 'client_id does not match id_token_hint');
      clientId = hint.aud;
    }
    let redirectTo: string | null = null;
    if (params.postLogoutRedirectUri) {
      const client = clientId ? await e.clients.get(clientId) : undefined;
      if (!client || !(client.postLogoutRedirectUris ?? []).includes(params.postLogoutRedirectUri)) {
        throw new OAuthError('invalid_request', 'post_logout_redirect_uri is not registered for this application');
      }
      const url = new URL(params.postLogoutRedirectUri);
      if (params.state) url.searchParams.append('state', params.state);
      redirectTo = url.toString();
    }
    if (sessionId) await this.endSession(sessionId, 'logout', context);
    return { redirectTo };
  }

  /** Ends a session here and now (refresh tokens revoked; access tokens revoked through `revoke.session`). */
  async endSession(sessionId: string, endedBy: 'logout' | 'admin', context: RequestContext = {}): Promise<boolean> {
    const ended = await revokeSession(this.#adminDeps(), sessionId, endedBy, context);
    if (ended) await this.#engine.login.sync();
    return ended;
  }
}
