// The form parser's own cases; the HTTP bad-input suite sends the same kinds of bodies to every endpoint.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '@tessera/core';
import { parseFormBody } from '../dist/http/form-body.js';

const parse = (body: string | Buffer): Record<string, unknown> => ({ ...parseFormBody(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1')) });
const refusal = (body: string | Buffer): string | undefined => {
  try {
    parse(body);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof OAuthError);
    assert.equal(error.code, 'invalid_request');
    return error.message;
  }
};

describe('application/x-www-form-urlencoded bodies', () => {
  test('plain ASCII names and values are taken as they are', () => {
    assert.deepEqual(parse('grant_type=client_credentials&scope=read&flag&&'), {
      grant_type: 'client_credentials',
      scope: 'read',
      flag: '',
    });
  });

  test('escapes and + are decoded wherever they appear in the body', () => {
    assert.deepEqual(parse('scope=read+write&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&plain=a.b-c_d'), {
      scope: 'read write',
      redirect_uri: 'https://app.example/cb',
      plain: 'a.b-c_d',
    });
    assert.deepEqual(parse('name=%C3%A9t%C3%A9'), { name: 'été' });
  });

  test('raw UTF-8 is accepted; a repeated name becomes an array', () => {
    assert.deepEqual(parse(Buffer.from('name=été&name=x&name=y', 'utf8')), { name: ['été', 'x', 'y'] });
  });

  test('invalid UTF-8, bad escapes, NUL (raw or escaped) and a missing name are refused', () => {
    assert.match(String(refusal(Buffer.from([0x61, 0x3d, 0xc3, 0x28]))), /UTF-8/);
    assert.match(String(refusal('a=%ZZ')), /form encoding/);
    assert.match(String(refusal('a=%C3%28')), /form encoding/);
    assert.match(String(refusal('a=b\u0000c')), /NUL/);
    assert.match(String(refusal('a=b%00c')), /NUL/);
    assert.match(String(refusal('a%00=b')), /NUL/);
    assert.match(String(refusal('=b')), /without a name/);
  });

  test('the result has no prototype, so __proto__ is an ordinary name', () => {
    const params = parseFormBody(Buffer.from('__proto__=x&constructor=y'));
    assert.equal(Object.getPrototypeOf(params), null);
    assert.equal(params['__proto__'], 'x');
    assert.equal(params['constructor'], 'y');
  });
});
