import { decodeBase64urlStrict } from '../encoding.js';
import type { Engine } from '../engine.js';
import { verifyBytes } from '../keys/keyring.js';

/** Verifies an ID token this server issued, ignoring expiry (an id_token_hint may have expired). */
export function verifyIdTokenHint(engine: Engine, token: string): { sub: string; aud: string; sid?: string } | undefined {
  if (token.length > 8192) return undefined;
  const [h, p, s, extra] = token.split('.');
  if (!h || !p || !s || extra !== undefined) return undefined;
  try {
    const header = JSON.parse(decodeBase64urlStrict(h)?.toString('utf8') ?? 'null') as Record<string, unknown> | null;
    if (!header || header['typ'] !== 'JWT' || typeof header['kid'] !== 'string') return undefined;
    const key = engine.keyring().verificationKey(header['kid']);
    const signature = decodeBase64urlStrict(s);
    if (!key || header['alg'] !== key.alg || !signature || !verifyBytes(key, `${h}.${p}`, signature)) return undefined;
    const claims = JSON.parse(decodeBase64urlStrict(p)?.toString('utf8') ?? 'null') as Record<string, unknown> | null;
    if (!claims || claims['iss'] !== engine.config.issuer || typeof claims['sub'] !== 'string' || typeof claims['aud'] !== 'string') return undefined;
    return { sub: claims['sub'], aud: claims['aud'], ...(typeof claims['sid'] === 'string' ? { sid: claims['sid'] } : {}) };
  } catch {
    return undefined;
  }
}
