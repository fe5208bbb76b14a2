// Shared fixtures for the core unit tests: an engine over a MemoryStore with a frozen clock and a
// recording event sink, plus small helpers to register clients and make requests.
import assert from 'node:assert/strict';
import {
  createAuthServer,
  createClient,
  MasterKey,
  OAuthError,
  type AuditEvent,
  type AuthServer,
  type AuthServerOptions,
  type ClientAdminDeps,
  type ClientRecord,
  type EndpointRequest,
  type EventSink,
  type FormParams,
  type NewClientInput,
  type OAuthErrorCode,
  type RequestContext,
} from '@tessera/core';
import { FrozenClock, MemoryStore } from '@tessera/core/testing';

export const ISSUER = 'https://issuer.example';
export const API = 'https://api.example';
export const OTHER_API = 'https://other-api.example';
/** 2026-01-01T00:00:00Z, on a whole second so iat arithmetic is exact. */
export const START = Date.UTC(2026, 0, 1);

export class RecordingSink implements EventSink {
  readonly events: AuditEvent[] = [];
  emit(event: AuditEvent): void {
    this.events.push(event);
  }
  ofType<T extends AuditEvent['type']>(type: T): Extract<AuditEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<AuditEvent, { type: T }> => e.type === type);
  }
}

export interface Harness {
  server: AuthServer;
  store: MemoryStore;
  clock: FrozenClock;
  events: RecordingSink;
  masterKey: MasterKey;
  admin: ClientAdminDeps;
}

export interface HarnessOptions {
  config?: Partial<AuthServerOptions>;
  store?: MemoryStore;
  clock?: FrozenClock;
  masterKey?: MasterKey;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const store = options.store ?? new MemoryStore();
  const clock = options.clock ?? new FrozenClock(START);
  const masterKey = options.masterKey ?? MasterKey.generate();
  const events = new RecordingSink();
  const server = await createAuthServer({ config: { issuer: ISSUER, ...options.config }, store, masterKey, clock, events });
  const admin: ClientAdminDeps = { store, clock, events, maxAccessTokenTtl: server.config.maxAccessTokenTtl };
  return { server, store, clock, events, masterKey, admin };
}

/** A second engine (another instance) over the same store, master key and clock. */
export function sibling(h: Harness, config: Partial<AuthServerOptions> = {}): Promise<Harness> {
  return harness({ store: h.store, clock: h.clock, masterKey: h.masterKey, config });
}

/** A plain client record for tests of functions that take one directly (no store, no engine). */
export function clientRecord(overrides: Partial<ClientRecord> & Pick<ClientRecord, 'id'>): ClientRecord {
  return {
    name: overrides.id,
    authMethod: 'client_secret_basic',
    secrets: [],
    jwks: null,
    jwksUri: null,
    grantTypes: ['client_credentials'],
    scopes: [],
    defaultScopes: [],
    audiences: [],
    redirectUris: [],
    tokenTtl: null,
    signingAlg: null,
    firstParty: false,
    disabled: false,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

export interface TestClient {
  id: string;
  secret: string;
  record: ClientRecord;
}

/** Registers a client_credentials client (client_secret_basic unless told otherwise) for API. */
export async function addClient(h: Harness, input: Partial<NewClientInput> = {}): Promise<TestClient> {
  const { client, secret } = await createClient(h.admin, {
    name: 'test client',
    scopes: ['read', 'write'],
    defaultScopes: ['read'],
    audiences: [API],
    ...input,
  });
  return { id: client.id, secret: secret ?? '', record: client };
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded, joined by a colon, then base64 encoded. */
export function basic(id: string, secret: string, encode: (v: string) => string = encodeURIComponent): string {
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export function req(params: FormParams, authorization?: string, context: RequestContext = {}): EndpointRequest {
  return { params, authorization, context };
}

/** A client_credentials token request authenticated with client_secret_basic. */
export function tokenRequest(client: TestClient, params: FormParams = {}, context: RequestContext = {}): EndpointRequest {
  return req({ grant_type: 'client_credentials', ...params }, basic(client.id, client.secret), context);
}

export async function issue(server: AuthServer, client: TestClient, params: FormParams = {}): Promise<string> {
  return (await server.token(tokenRequest(client, params))).access_token;
}

export async function introspect(server: AuthServer, caller: TestClient, token: string): Promise<Record<string, unknown>> {
  const body = await server.introspect(req({ token }, basic(caller.id, caller.secret)));
  return JSON.parse(body) as Record<string, unknown>;
}

export async function isActive(server: AuthServer, caller: TestClient, token: string): Promise<boolean> {
  const body = await introspect(server, caller, token);
  assert.equal(typeof body['active'], 'boolean');
  return body['active'] === true;
}

/** Asserts the promise rejects with an OAuthError of this code (and status, when given). */
export async function rejectsWith(promise: Promise<unknown>, code: OAuthErrorCode, status?: number): Promise<OAuthError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof OAuthError, `expected an OAuthError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (status !== undefined) assert.equal(caught.status, status);
  return caught;
}

/** The RFC 6749 error code `fn` throws as an OAuthError, or undefined when it does not throw. */
export function oauthCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof OAuthError, `not an OAuthError: ${String(error)}`);
    return error.code;
  }
}

export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function parts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header = '', payload = ''] = token.split('.');
  return { header: decodeSegment(header), payload: decodeSegment(payload) };
}
