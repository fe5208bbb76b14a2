/**
 * Introspection (RFC 7662) of distinct valid tokens obtained beforehand, cycled through in order by
 * every connection. Tessera introspects its JWTs; oidc-provider only introspects tokens it stores, so
 * its tokens here are opaque ones.
 */
import { basicAuth, FORM, formBody, mapLimit, postForm } from '../lib/http.mjs';
import { expect } from './check.mjs';

async function obtainTokens(target, count, authorization) {
  const url = target.url + target.paths.token;
  return mapLimit(count, 25, async () => {
    const response = await postForm(url, target.introspectedTokenParams, authorization);
    expect(response.status === 200 && typeof response.json?.access_token === 'string', target, 'token request failed', response);
    return response.json.access_token;
  });
}

export default {
  id: 'introspection',
  title: 'Introspection',
  detail: 'POST introspection endpoint, token=…&token_type_hint=access_token, client_secret_basic (the token\'s own client)',
  targets: ['tessera', 'peer', 'ceiling'],
  goal: { factor: 3 },
  async prepare(target, { tokens: count }) {
    const authorization = basicAuth(target.client.id, target.client.secret);
    const tokens = await obtainTokens(target, count, authorization);
    const distinct = new Set(tokens).size;
    if (target.introspectedTokenKind !== 'constant') {
      expect(distinct === count, target, `expected ${count} distinct tokens, got ${distinct}`);
      const isJwt = tokens.every((t) => t.split('.').length === 3);
      expect(isJwt === (target.introspectedTokenKind === 'jwt'), target, `tokens are not ${target.introspectedTokenKind}`);
    }
    const path = target.paths.introspection;
    const response = await postForm(target.url + path, { token: tokens[0], token_type_hint: 'access_token' }, authorization);
    expect(response.status === 200 && response.json?.active === true, target, 'introspection did not answer active:true', response);
    const headers = { 'content-type': FORM, authorization };
    return {
      requests: tokens.map((token) => ({
        method: 'POST',
        path,
        headers,
        body: formBody({ token, token_type_hint: 'access_token' }),
      })),
      // A 200 with active:false (an evicted or rejected token) is a wrong answer, counted as a mismatch.
      verifyBody: (body) => body.includes('"active":true'),
      checked: `200, active:true; ${distinct} distinct ${target.introspectedTokenKind} token(s)`,
    };
  },
};
