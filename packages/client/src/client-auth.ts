import { clientAssertion, createSigner } from './client-assertion.js';
import type { ClientAuthentication } from './options.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** Adds the client's credentials to one token request (a fresh assertion each time for private_key_jwt). */
export interface ClientAuthenticator {
  readonly method: ClientAuthMethod;
  apply(request: { params: URLSearchParams; headers: Headers; nowMs: number }): void;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_LIFETIME_SECONDS = 60;

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding. */
const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

/** Resolves the configured authentication once; throws TypeError on a contradictory or empty configuration. */
export function createAuthenticator(auth: ClientAuthentication, clientId: string, issuer: string): ClientAuthenticator {
  const given = auth as { clientSecret?: unknown; privateKey?: unknown; clientAuthMethod?: unknown };
  if (given.clientSecret !== undefined && given.privateKey !== undefined) throw new TypeError('give clientSecret or privateKey, not both');
  if (given.privateKey !== undefined || given.clientAuthMethod === 'private_key_jwt') {
    const options = auth as Extract<ClientAuthentication, { privateKey: unknown }>;
    if (options.privateKey === undefined) throw new TypeError('private_key_jwt needs privateKey');
    if (options.clientAuthMethod !== undefined && options.clientAuthMethod !== 'private_key_jwt') {
      throw new TypeError(`clientAuthMethod ${String(options.clientAuthMethod)} does not use a private key`);
    }
    const signer = createSigner(options.privateKey, options.alg, options.kid);
    const audience = options.assertionAudience ?? issuer;
    return {
      method: 'private_key_jwt',
      apply({ params, nowMs }) {
        params.set('client_assertion_type', JWT_BEARER);
        params.set('client_assertion', clientAssertion(signer, { clientId, audience, nowMs, lifetimeSeconds: ASSERTION_LIFETIME_SECONDS }));
      },
    };
  }
  if (given.clientAuthMethod === 'none') {
    if (given.clientSecret !== undefined) throw new TypeError('a public client (clientAuthMethod none) has no clientSecret');
    return { method: 'none', apply: ({ params }) => params.set('client_id', clientId) };
  }
  const secret = given.clientSecret;
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('give clientSecret, privateKey, or clientAuthMethod "none" for a public client');
  }
  if (given.clientAuthMethod === 'client_secret_post') {
    return {
      method: 'client_secret_post',
      apply({ params }) {
        params.set('client_id', clientId);
        params.set('client_secret', secret);
      },
    };
  }
  if (given.clientAuthMethod !== undefined && given.clientAuthMethod !== 'client_secret_basic') {
    throw new TypeError(`unknown clientAuthMethod ${JSON.stringify(given.clientAuthMethod)}`);
  }
  const basic = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
  return { method: 'client_secret_basic', apply: ({ headers }) => headers.set('authorization', basic) };
}
