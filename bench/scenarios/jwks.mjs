/** GET of the public JWKS, as resource servers and SDKs fetch it. */
import { call } from '../lib/http.mjs';
import { expect } from './check.mjs';

export default {
  id: 'jwks',
  title: 'JWKS',
  detail: 'GET /jwks',
  targets: ['tessera', 'peer', 'ceiling'],
  goal: { factor: 2 },
  async prepare(target) {
    const response = await call(target.url + target.paths.jwks);
    const keys = response.json?.keys;
    expect(response.status === 200 && Array.isArray(keys), target, 'JWKS request failed', response);
    expect(keys.some((k) => k.kty === 'EC' && k.crv === 'P-256' && !('d' in k)), target, 'no public P-256 key in the JWKS', response);
    return {
      requests: [{ method: 'GET', path: target.paths.jwks }],
      verifyBody: (body) => body.includes('"keys"'),
      checked: `200, ${keys.length} public key(s)`,
    };
  },
};
