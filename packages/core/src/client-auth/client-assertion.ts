import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { OAuthError } from '../errors.js';
import type { ClientRecord } from '../model.js';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Asymmetric algorithms accepted for client assertions; never `none`, never HMAC. */
export const CLIENT_ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

const invalid = (detail: string): OAuthError =>
  new OAuthError('invalid_client', 'client authentication failed', { detail });

/** The client id an assertion claims to come from (its `sub`, which must equal `iss`), before any check. */
export function assertionClientId(assertion: string): string {
  try {
    const claims = decodeJwt(assertion);
    if (typeof claims.sub === 'string' && claims.sub === claims.iss) return claims.sub;
  } catch {
    // fall through
  }
  throw invalid('client assertion is not a JWT with iss equal to sub');
}

/** Key sets per client, so a remote jwks_uri is fetched once and then cached by jose's remote set. */
export class ClientKeySets {
  readonly #sets = new Map<string, { client: ClientRecord; getKey: JWTVerifyGetKey }>();

  forClient(client: ClientRecord): JWTVerifyGetKey {
    const cached = this.#sets.get(client.id);
    if (cached && cached.client === client) return cached.getKey;
    let getKey: JWTVerifyGetKey;
    if (client.jwks) getKey = createLocalJWKSet(client.jwks);
    else if (client.jwksUri) getKey = createRemoteJWKSet(new URL(client.jwksUri), { timeoutDuration: 3000 });
    else throw invalid('client has no registered keys for private_key_jwt');
    this.#sets.set(client.id, { client, getKey });
    return getKey;
  }

  invalidate(clientId: string): void {
    this.#sets.delete(clientId);
  }
}

export interface AssertionCheck {
  audiences: string[];
  now: number;
  maxLifetimeSeconds: number;
  skewSeconds: number;
}

/**
 * Verifies a private_key_jwt assertion (RFC 7523 §3): signature by one of the client's keys, iss = sub =
 * client id, an accepted audience, exp present and not too far ahead, jti present. Returns the jti and
 * its expiry so the caller can reject replays.
 */
export async function verifyClientAssertion(
  assertion: string,
  client: ClientRecord,
  getKey: JWTVerifyGetKey,
  check: AssertionCheck,
): Promise<{ jti: string; expiresAt: number }> {
  // A jwks_uri that cannot be reached fails with a plain fetch error, not a JOSEError: it is still a
  // failed client authentication, so it must surface as invalid_client like every other reason.
  const keyOrFail: JWTVerifyGetKey = async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw error;
      throw new OAuthError('invalid_client', 'client authentication failed', {
        detail: 'the client jwks_uri could not be fetched',
        cause: error,
      });
    }
  };
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, keyOrFail, {
      issuer: client.id,
      subject: client.id,
      audience: check.audiences,
      algorithms: CLIENT_ASSERTION_ALGORITHMS,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: check.skewSeconds,
      currentDate: new Date(check.now),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw invalid(`client assertion rejected: ${error.code}`);
    throw error;
  }
  const exp = payload.exp as number;
  if (exp - check.now / 1000 > check.maxLifetimeSeconds) throw invalid('client assertion lives too long');
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) {
    throw invalid('client assertion jti is not a usable string');
  }
  return { jti: payload.jti, expiresAt: exp * 1000 };
}
