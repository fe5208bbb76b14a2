import type { EventSink, RequestContext } from '../audit/events.js';
import type { ClientDirectory } from '../clients/client-directory.js';
import { OAuthError } from '../errors.js';
import type { ClientAuthMethod, ClientRecord } from '../model.js';
import type { Store } from '../ports/store.js';
import { optionalParam, type EndpointRequest } from '../request.js';
import {
  JWT_BEARER_ASSERTION_TYPE,
  assertionClientId,
  verifyClientAssertion,
  type ClientKeySets,
} from './client-assertion.js';
import { reportedClientId } from './reported-client-id.js';
import { secretMatches } from './secret.js';

interface PresentedCredentials {
  method: ClientAuthMethod;
  clientId: string;
  secret?: string;
  assertion?: string;
}

const failure = (detail: string): OAuthError =>
  new OAuthError('invalid_client', 'client authentication failed', { detail });

/** RFC 6749 §2.3.1: the Basic credentials are form-urlencoded before being base64 encoded. */
function formDecode(value: string): string {
  if (!/[%+]/.test(value)) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw failure('basic credentials are not valid form encoding');
  }
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw failure('basic credentials are malformed');
  return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** Reads which method the request uses; more than one at a time is refused (RFC 6749 §2.3). */
function presentedCredentials(request: EndpointRequest): PresentedCredentials | undefined {
  const { params, authorization } = request;
  const bodyClientId = optionalParam(params, 'client_id');
  const bodySecret = optionalParam(params, 'client_secret');
  const assertionType = optionalParam(params, 'client_assertion_type');
  const assertion = optionalParam(params, 'client_assertion');
  const basic = authorization !== undefined && /^basic /i.test(authorization);
  const methods = [basic, bodySecret !== undefined, assertionType !== undefined || assertion !== undefined].filter(Boolean);
  if (methods.length > 1) throw new OAuthError('invalid_request', 'use exactly one client authentication method');
  if (basic) {
    const { clientId, secret } = parseBasic(authorization);
    if (bodyClientId !== undefined && bodyClientId !== clientId) {
      throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
    }
    return { method: 'client_secret_basic', clientId, secret };
  }
  if (bodySecret !== undefined) {
    if (bodyClientId === undefined) throw failure('client_secret without client_id');
    return { method: 'client_secret_post', clientId: bodyClientId, secret: bodySecret };
  }
  if (assertionType !== undefined || assertion !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE || assertion === undefined) {
      throw new OAuthError('invalid_request', 'client_assertion_type must be jwt-bearer with a client_assertion');
    }
    const clientId = assertionClientId(assertion);
    if (bodyClientId !== undefined && bodyClientId !== clientId) throw failure('client_id does not match the assertion');
    return { method: 'private_key_jwt', clientId, assertion };
  }
  if (bodyClientId !== undefined) return { method: 'none', clientId: bodyClientId };
  return undefined;
}

export interface ClientAuthDeps {
  clients: ClientDirectory;
  keySets: ClientKeySets;
  store: Store;
  events: EventSink;
  now: () => number;
  assertionAudiences: string[];
  maxAssertionTtl: number;
  skewSeconds: number;
}

/**
 * Authenticates the calling client with the one method registered for it (RFC 6749 §2.3, RFC 7523 §2.2).
 * Every failure is `invalid_client` (401) with the same description, the reason going to the event only.
 */
export async function authenticateClient(
  deps: ClientAuthDeps,
  request: EndpointRequest,
  options: { allowPublic: boolean },
): Promise<ClientRecord> {
  const presented = presentedCredentials(request);
  if (!presented) throw failure('no client authentication');
  try {
    const client = await deps.clients.get(presented.clientId);
    if (!client) throw failure('unknown client');
    if (client.disabled) throw failure('client is disabled');
    if (client.authMethod !== presented.method) {
      throw failure(`client is registered for ${client.authMethod}, not ${presented.method}`);
    }
    await checkProof(deps, client, presented, options);
    return client;
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_client') {
      reportFailure(deps.events, presented, request.context, deps.now(), error.detail);
    }
    throw error;
  }
}

async function checkProof(
  deps: ClientAuthDeps,
  client: ClientRecord,
  presented: PresentedCredentials,
  options: { allowPublic: boolean },
): Promise<void> {
  const now = deps.now();
  switch (presented.method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!secretMatches(client, presented.secret ?? '', now)) throw failure('wrong client secret');
      return;
    case 'private_key_jwt': {
      const { jti, expiresAt } = await verifyClientAssertion(presented.assertion ?? '', client, deps.keySets.forClient(client), {
        audiences: deps.assertionAudiences,
        now,
        maxLifetimeSeconds: deps.maxAssertionTtl,
        skewSeconds: deps.skewSeconds,
      });
      if (!(await deps.store.useOnce('client_assertion', `${client.id}:${jti}`, expiresAt + deps.skewSeconds * 1000))) {
        throw failure('client assertion replayed');
      }
      return;
    }
    case 'none':
      if (!options.allowPublic) throw failure('this endpoint requires client authentication');
      return;
  }
}

function reportFailure(
  events: EventSink,
  presented: PresentedCredentials,
  context: RequestContext,
  time: number,
  reason: string | undefined,
): void {
  events.emit({
    type: 'client.authentication_failed',
    time,
    clientId: reportedClientId(presented.clientId),
    method: presented.method,
    ip: context.ip,
    userAgent: context.userAgent,
    outcome: 'failure',
    reason: reason ?? 'invalid_client',
  });
}
