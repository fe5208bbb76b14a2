import { RotationPolicyError, validateRotationPolicy, type RotationPolicy } from './keys/rotation-policy.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './model.js';

/** Options of the protocol engine. Every field has a default except the issuer. */
export interface AuthServerOptions {
  /** The issuer identifier (RFC 8414 §2): an https URL (http allowed for loopback), no query or fragment. */
  issuer: string;
  /** Default access-token lifetime in seconds. Default 600 (10 minutes). */
  accessTokenTtl?: number;
  /** Hard maximum for any access-token lifetime, including per-client overrides. Default 3600. */
  maxAccessTokenTtl?: number;
  /** Algorithms with an active signing key; the first is the default. Default ['ES256']. */
  signingAlgorithms?: SigningAlgorithm[];
  /** Clock skew tolerated when checking exp/iat/nbf, in seconds. Default 30. */
  clockSkew?: number;
  /** Maximum lifetime (exp − now) accepted for a private_key_jwt client assertion, in seconds. Default 300. */
  maxClientAssertionTtl?: number;
  /** Entries in the verified-token cache used by introspection. Default 10000. */
  introspectionCacheSize?: number;
  /** `Cache-Control: max-age` of the JWKS, in seconds. Default 300. */
  jwksMaxAge?: number;
  /** How long a signing key signs before the next takes over, in seconds. Default 30 days. */
  keyRotationInterval?: number;
  /** How long a next key is published before it signs, in seconds; at least twice jwksMaxAge. Default 1 day. */
  keyPrePublication?: number;
  /** Extra time a retired key stays published after its last token expired, in seconds. Default 5 minutes. */
  keyRetirementMargin?: number;
}

export type AuthServerConfig = Readonly<Required<AuthServerOptions>> & {
  readonly endpoints: Readonly<{ token: string; introspection: string; revocation: string; jwks: string }>;
  readonly rotationPolicy: Readonly<RotationPolicy>;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function checkIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`issuer must be an absolute URL, got "${issuer}"`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`issuer must use https (http is allowed only for localhost), got "${issuer}"`);
  }
  // An empty query or fragment ("https://a.example?") leaves url.search and url.hash empty, so look at the text too.
  if (url.search || url.hash || /[?#]/.test(issuer)) throw new ConfigError('issuer must not have a query or fragment');
  return issuer.replace(/\/+$/, '');
}

/** Applies defaults, runs every check, and returns a frozen config; throws ConfigError with a clear message. */
export function resolveConfig(options: AuthServerOptions): AuthServerConfig {
  const issuer = checkIssuer(options.issuer);
  const accessTokenTtl = positiveInteger('accessTokenTtl', options.accessTokenTtl ?? 600);
  const maxAccessTokenTtl = positiveInteger('maxAccessTokenTtl', options.maxAccessTokenTtl ?? 3600);
  if (accessTokenTtl > maxAccessTokenTtl) {
    throw new ConfigError(`accessTokenTtl (${accessTokenTtl}s) exceeds maxAccessTokenTtl (${maxAccessTokenTtl}s)`);
  }
  const signingAlgorithms = [...new Set<SigningAlgorithm>(options.signingAlgorithms ?? ['ES256'])];
  if (signingAlgorithms.length === 0) throw new ConfigError('signingAlgorithms must name at least one algorithm');
  for (const alg of signingAlgorithms) {
    if (!SIGNING_ALGORITHMS.includes(alg)) {
      throw new ConfigError(`unsupported signing algorithm "${alg}" (supported: ${SIGNING_ALGORITHMS.join(', ')})`);
    }
  }
  const jwksMaxAge = positiveInteger('jwksMaxAge', options.jwksMaxAge ?? 300);
  const keyRotationInterval = positiveInteger('keyRotationInterval', options.keyRotationInterval ?? 30 * 86_400);
  const keyPrePublication = positiveInteger('keyPrePublication', options.keyPrePublication ?? 86_400);
  const keyRetirementMargin = positiveInteger('keyRetirementMargin', options.keyRetirementMargin ?? 300);
  const clockSkew = positiveInteger('clockSkew', options.clockSkew ?? 30);
  let rotationPolicy: RotationPolicy;
  try {
    rotationPolicy = validateRotationPolicy(
      {
        rotationInterval: keyRotationInterval * 1000,
        prePublication: keyPrePublication * 1000,
        retirementMargin: (keyRetirementMargin + clockSkew) * 1000,
        maxTokenLifetime: maxAccessTokenTtl * 1000,
      },
      jwksMaxAge * 1000,
    );
  } catch (error) {
    if (error instanceof RotationPolicyError) throw new ConfigError(error.message);
    throw error;
  }
  return Object.freeze({
    issuer,
    accessTokenTtl,
    maxAccessTokenTtl,
    signingAlgorithms,
    clockSkew,
    maxClientAssertionTtl: positiveInteger('maxClientAssertionTtl', options.maxClientAssertionTtl ?? 300),
    introspectionCacheSize: positiveInteger('introspectionCacheSize', options.introspectionCacheSize ?? 10_000),
    jwksMaxAge,
    keyRotationInterval,
    keyPrePublication,
    keyRetirementMargin,
    rotationPolicy: Object.freeze(rotationPolicy),
    endpoints: Object.freeze({
      token: `${issuer}/token`,
      introspection: `${issuer}/introspect`,
      revocation: `${issuer}/revoke`,
      jwks: `${issuer}/jwks`,
    }),
  });
}
