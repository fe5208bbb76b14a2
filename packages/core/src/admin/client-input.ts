import type { JSONWebKeySet } from 'jose';
import { CLIENT_AUTH_METHODS, SIGNING_ALGORITHMS, type ClientAuthMethod, type GrantType, type SigningAlgorithm } from '../model.js';
import { isScopeToken } from '../scope.js';

/** What an operator gives to register a client. */
export interface NewClientInput {
  name: string;
  scopes?: string[];
  defaultScopes?: string[];
  audiences?: string[];
  grantTypes?: GrantType[];
  redirectUris?: string[];
  authMethod?: ClientAuthMethod;
  jwks?: JSONWebKeySet | null;
  jwksUri?: string | null;
  tokenTtl?: number | null;
  signingAlg?: SigningAlgorithm | null;
  firstParty?: boolean;
  postLogoutRedirectUris?: string[];
}

/** Bad input from an operator (CLI, admin API); the message says what to fix. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

export const SUPPORTED_GRANT_TYPES: readonly GrantType[] = [
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
];

function absoluteUri(label: string, value: string, allowFragment = false): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${label} must be an absolute URI, got "${value}"`);
  }
  if (!allowFragment && url.hash) throw new ValidationError(`${label} must not contain a fragment: "${value}"`);
  return value;
}

/** Checks every field and fills defaults. Throws ValidationError naming the first problem. */
export function validateClientInput(input: NewClientInput, maxTokenTtl: number): Required<NewClientInput> {
  const name = input.name?.trim() ?? '';
  if (name.length === 0 || name.length > 200) throw new ValidationError('name must be 1 to 200 characters');
  const scopes = [...new Set(input.scopes ?? [])];
  for (const s of scopes) if (!isScopeToken(s)) throw new ValidationError(`invalid scope "${s}"`);
  const defaultScopes = [...new Set(input.defaultScopes ?? scopes)];
  for (const s of defaultScopes) {
    if (!scopes.includes(s)) throw new ValidationError(`default scope "${s}" is not among the client's scopes`);
  }
  const audiences = [...new Set(input.audiences ?? [])].map((a) => absoluteUri('audience', a));
  const redirectUris = [...new Set(input.redirectUris ?? [])].map((u) => absoluteUri('redirect URI', u));
  const grantTypes = [...new Set<GrantType>(input.grantTypes ?? ['client_credentials'])];
  for (const g of grantTypes) {
    if (!SUPPORTED_GRANT_TYPES.includes(g)) {
      throw new ValidationError(`unsupported grant type "${g}" (supported: ${SUPPORTED_GRANT_TYPES.join(', ')})`);
    }
  }
  const authMethod = input.authMethod ?? 'client_secret_basic';
  if (!CLIENT_AUTH_METHODS.includes(authMethod)) throw new ValidationError(`unsupported auth method "${authMethod}"`);
  const jwks = input.jwks ?? null;
  const jwksUri = input.jwksUri ? absoluteUri('jwks URI', input.jwksUri) : null;
  if (authMethod === 'private_key_jwt') {
    if ((jwks === null) === (jwksUri === null)) throw new ValidationError('private_key_jwt needs exactly one of --jwks or --jwks-uri');
    if (jwks !== null && (!Array.isArray(jwks.keys) || jwks.keys.length === 0)) {
      throw new ValidationError('the JWKS must contain at least one key');
    }
    if (jwks?.keys.some((k) => 'd' in k || k.kty === 'oct')) {
      throw new ValidationError('the JWKS must contain public keys only');
    }
  } else if (jwks !== null || jwksUri !== null) {
    throw new ValidationError('--jwks and --jwks-uri apply only to private_key_jwt');
  }
  if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
    throw new ValidationError('a public client cannot use client_credentials');
  }
  if (grantTypes.includes('client_credentials') && audiences.length === 0) {
    throw new ValidationError('a client_credentials client needs at least one --audience');
  }
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new ValidationError('an authorization_code client needs at least one --redirect-uri');
  }
  if (grantTypes.includes('refresh_token') && !grantTypes.some((g) => g === 'authorization_code' || g.endsWith(':device_code'))) {
    throw new ValidationError('refresh_token needs authorization_code or the device_code grant as well');
  }
  const postLogoutRedirectUris = [...new Set(input.postLogoutRedirectUris ?? [])].map((u) => absoluteUri('post-logout redirect URI', u));
  const tokenTtl = input.tokenTtl ?? null;
  if (tokenTtl !== null && (!Number.isInteger(tokenTtl) || tokenTtl <= 0 || tokenTtl > maxTokenTtl)) {
    throw new ValidationError(`token TTL must be between 1 and ${maxTokenTtl} seconds`);
  }
  const signingAlg = input.signingAlg ?? null;
  if (signingAlg !== null && !SIGNING_ALGORITHMS.includes(signingAlg)) {
    throw new ValidationError(`unsupported signing algorithm "${signingAlg}"`);
  }
  return {
    name,
    scopes,
    defaultScopes,
    audiences,
    grantTypes,
    redirectUris,
    authMethod,
    jwks,
    jwksUri,
    tokenTtl,
    signingAlg,
    firstParty: input.firstParty ?? false,
    postLogoutRedirectUris,
  };
}
