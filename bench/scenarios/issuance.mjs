/** Token issuance: client_credentials with client_secret_basic, an ES256-signed JWT access token per request. */
import { basicAuth, FORM, formBody, jwtHeader, postForm } from '../lib/http.mjs';
import { expect } from './check.mjs';

export default {
  id: 'issuance',
  title: 'Token issuance',
  detail: 'POST /token, grant_type=client_credentials&scope=read, client_secret_basic; an ES256 JWT access token per request',
  targets: ['tessera', 'peer', 'ceiling', 'tessera-nolimits'],
  goal: { factor: 3 },
  async prepare(target) {
    const authorization = basicAuth(target.client.id, target.client.secret);
    const response = await postForm(target.url + target.paths.token, target.tokenParams, authorization);
    expect(response.status === 200, target, 'token request failed', response);
    const token = response.json?.access_token;
    expect(typeof token === 'string' && /^bearer$/i.test(response.json.token_type), target, 'no Bearer access_token', response);
    if (target.signsTokens) {
      const header = jwtHeader(token);
      expect(header?.alg === 'ES256', target, `access token is not an ES256 JWT (header ${JSON.stringify(header)})`);
    }
    return {
      requests: [
        {
          method: 'POST',
          path: target.paths.token,
          headers: { 'content-type': FORM, authorization },
          body: formBody(target.tokenParams),
        },
      ],
      verifyBody: (body) => body.includes('"access_token"'),
      checked: target.signsTokens ? '200, Bearer JWT with alg ES256' : '200, constant body',
    };
  },
};
