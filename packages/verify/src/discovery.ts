import { VerifyError } from './errors.js';
import { fetchJson } from './http.js';

/** The parts of RFC 8414 authorization server metadata the verifier uses. */
export interface ServerMetadata {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly introspectionEndpoint: string | undefined;
}

const MAX_METADATA_BYTES = 256 * 1024;

function endpoint(issuer: string, name: string, value: unknown): string {
  if (typeof value !== 'string') throw new Error(`${name} is missing`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL`);
  }
  const https = issuer.startsWith('https:');
  if (url.protocol !== 'https:' && (https || url.protocol !== 'http:')) throw new Error(`${name} must use https like the issuer`);
  return value;
}

/** Loads the discovery document and checks that it speaks for the configured issuer (RFC 8414 §3.3). */
export async function discover(
  issuer: string,
  url: string,
  options: { fetch: typeof fetch; timeoutMs: number },
): Promise<ServerMetadata> {
  try {
    const response = await fetchJson(url, { ...options, maxBytes: MAX_METADATA_BYTES, init: { headers: { accept: 'application/json' } } });
    if (response.status !== 200) throw new Error(`${url} answered with status ${response.status}`);
    const body = response.body as Record<string, unknown>;
    if (body['issuer'] !== issuer) {
      throw new Error(`the metadata names issuer ${JSON.stringify(body['issuer'])}, not the configured ${JSON.stringify(issuer)}`);
    }
    const introspection = body['introspection_endpoint'];
    return {
      issuer,
      jwksUri: endpoint(issuer, 'jwks_uri', body['jwks_uri']),
      introspectionEndpoint: introspection === undefined ? undefined : endpoint(issuer, 'introspection_endpoint', introspection),
    };
  } catch (error) {
    throw new VerifyError('discovery_failed', { detail: (error as Error).message, cause: error });
  }
}
