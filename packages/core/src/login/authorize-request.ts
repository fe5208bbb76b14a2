import type { ClientDirectory } from '../clients/client-directory.js';
import type { ClientRecord } from '../model.js';
import { isS256Challenge } from '../pkce.js';
import type { FormParams } from '../request.js';
import { isScopeToken } from '../scope.js';

/** RFC 6749 §4.1.2.1 error codes, plus OIDC's login_required / consent_required and RFC 8707 invalid_target. */
export type AuthorizeErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'login_required'
  | 'consent_required'
  | 'request_not_supported'
  | 'request_uri_not_supported';

/** A checked authorization request. */
export interface AuthorizationRequest {
  client: ClientRecord;
  redirectUri: string;
  state: string | null;
  scopes: string[];
  resources: string[];
  codeChallenge: string;
  nonce: string | null;
  prompt: 'none' | 'login' | 'consent' | null;
  /** Seconds; a login older than this is not reused. */
  maxAge: number | null;
}

export type AuthorizeOutcome =
  | { ok: true; request: AuthorizationRequest }
  /** The client or redirect URI cannot be trusted: show an error page, never redirect. */
  | { ok: false; redirect: false; error: AuthorizeErrorCode; description: string }
  /** Redirect back to the (verified) redirect URI with `error` (§4.1.2.1). */
  | { ok: false; redirect: true; redirectUri: string; state: string | null; error: AuthorizeErrorCode; description: string };

/** Longest accepted value of any authorization request parameter. */
export const MAX_PARAM_LENGTH = 2048;

type Single = { value: string | undefined; problem?: string };

function single(params: FormParams, name: string, max = MAX_PARAM_LENGTH): Single {
  const raw = params[name];
  if (raw === undefined) return { value: undefined };
  if (typeof raw !== 'string') return { value: undefined, problem: `parameter "${name}" must not be repeated` };
  if (raw.length > max) return { value: undefined, problem: `parameter "${name}" is too long (at most ${max} characters)` };
  return { value: raw === '' ? undefined : raw };
}

/**
 * Checks an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OAuth 2.1 §4.1.1) in the order that
 * decides where errors may go: client and redirect URI first (error page), everything else afterwards
 * (redirect with `error`).
 */
export async function checkAuthorizationRequest(clients: ClientDirectory, params: FormParams): Promise<AuthorizeOutcome> {
  const page = (error: AuthorizeErrorCode, description: string): AuthorizeOutcome => ({ ok: false, redirect: false, error, description });
  const clientId = single(params, 'client_id', 200);
  if (clientId.problem) return page('invalid_request', clientId.problem);
  if (!clientId.value) return page('invalid_request', 'the request has no client_id');
  const client = await clients.get(clientId.value);
  if (!client || client.disabled) return page('invalid_request', 'the application (client_id) is not known to this server');
  const redirect = single(params, 'redirect_uri');
  if (redirect.problem) return page('invalid_request', redirect.problem);
  if (!redirect.value) return page('invalid_request', 'the request has no redirect_uri');
  if (!client.redirectUris.includes(redirect.value)) {
    return page('invalid_request', 'the redirect_uri is not registered for this application');
  }
  const redirectUri = redirect.value;
  const stateParam = single(params, 'state');
  const state = stateParam.value ?? null;
  const fail = (error: AuthorizeErrorCode, description: string): AuthorizeOutcome => ({ ok: false, redirect: true, redirectUri, state, error, description });
  if (stateParam.problem) return fail('invalid_request', stateParam.problem);

  for (const name of Object.keys(params)) {
    if (name === 'resource') continue;
    const value = params[name];
    if (value !== undefined && typeof value !== 'string') return fail('invalid_request', `parameter "${name}" must not be repeated`);
    if (typeof value === 'string' && value.length > MAX_PARAM_LENGTH) return fail('invalid_request', `parameter "${name}" is too long`);
  }
  if (params['request'] !== undefined) return fail('request_not_supported', 'request objects are not supported');
  if (params['request_uri'] !== undefined) return fail('request_uri_not_supported', 'request_uri is not supported');
  const responseType = single(params, 'response_type').value;
  if (!responseType) return fail('invalid_request', 'the request has no response_type');
  if (responseType !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported');
  const responseMode = single(params, 'response_mode').value;
  if (responseMode !== undefined && responseMode !== 'query') return fail('invalid_request', 'only response_mode=query is supported');
  if (!client.grantTypes.includes('authorization_code')) {
    return fail('unauthorized_client', 'this application may not use the authorization code flow');
  }
  const challenge = single(params, 'code_challenge').value;
  const method = single(params, 'code_challenge_method').value;
  if (!challenge) return fail('invalid_request', 'PKCE is required: code_challenge is missing');
  if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256 (plain is not allowed)');
  if (!isS256Challenge(challenge)) return fail('invalid_request', 'code_challenge must be 43 base64url characters');

  const scopeText = single(params, 'scope').value;
  const requested = scopeText === undefined ? [...client.defaultScopes] : [...new Set(scopeText.split(' ').filter(Boolean))];
  if (requested.some((s) => !isScopeToken(s))) return fail('invalid_scope', 'scope contains invalid characters');
  if (requested.some((s) => !client.scopes.includes(s))) return fail('invalid_scope', 'the requested scope exceeds what this application may request');

  const resources = [...new Set(typeof params['resource'] === 'string' ? [params['resource']] : [...(params['resource'] ?? [])])].filter(Boolean);
  if (resources.some((r) => r.length > MAX_PARAM_LENGTH || !client.audiences.includes(r))) {
    return fail('invalid_target', 'the requested resource is not one this application may obtain tokens for');
  }
  const nonce = single(params, 'nonce', 512);
  if (nonce.problem) return fail('invalid_request', nonce.problem);
  const promptText = single(params, 'prompt').value;
  let prompt: AuthorizationRequest['prompt'] = null;
  if (promptText !== undefined) {
    const values = promptText.split(' ').filter(Boolean);
    if (values.includes('none') && values.length > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values');
    if (values.some((v) => !['none', 'login', 'consent', 'select_account'].includes(v))) return fail('invalid_request', 'unsupported prompt value');
    prompt = values.includes('none') ? 'none' : values.includes('login') ? 'login' : values.includes('consent') ? 'consent' : null;
  }
  const maxAgeText = single(params, 'max_age').value;
  let maxAge: number | null = null;
  if (maxAgeText !== undefined) {
    if (!/^\d{1,9}$/.test(maxAgeText)) return fail('invalid_request', 'max_age must be a whole number of seconds');
    maxAge = Number(maxAgeText);
  }
  return {
    ok: true,
    request: { client, redirectUri, state, scopes: requested, resources, codeChallenge: challenge, nonce: nonce.value ?? null, prompt, maxAge },
  };
}

/** The redirect URI with the response parameters appended to its query (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export function authorizationResponseUrl(redirectUri: string, issuer: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.append(name, value);
  url.searchParams.append('iss', issuer);
  return url.toString();
}
