import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipRepeatedIntrospections, type AuditEvent } from '@tessera/core';

const introspected = (tokenId: string, clientId: string, active: boolean): AuditEvent => ({
  type: 'token.introspected',
  time: 0,
  active,
  tokenId,
  clientId,
  outcome: active ? 'success' : 'failure',
});

test('the audit log records the first active introspection per token and caller, every inactive one and every other event', () => {
  const written: AuditEvent[] = [];
  const sink = skipRepeatedIntrospections({ emit: (e) => written.push(e) });
  sink.emit(introspected('jti-1', 'rs-a', true));
  sink.emit(introspected('jti-1', 'rs-a', true));
  sink.emit(introspected('jti-1', 'rs-b', true));
  sink.emit(introspected('jti-1', 'rs-a', false));
  sink.emit(introspected('jti-1', 'rs-a', false));
  sink.emit({ type: 'token.revoked', time: 0, tokenId: 'jti-1', clientId: 'rs-a', tokenType: 'access_token', outcome: 'success' });
  sink.emit({ type: 'token.revoked', time: 0, tokenId: 'jti-1', clientId: 'rs-a', tokenType: 'access_token', outcome: 'success' });
  assert.deepEqual(
    written.map((e) => `${e.type} ${e.clientId} ${'active' in e ? String(e.active) : ''}`),
    [
      'token.introspected rs-a true',
      'token.introspected rs-b true',
      'token.introspected rs-a false',
      'token.introspected rs-a false',
      'token.revoked rs-a ',
      'token.revoked rs-a ',
    ],
  );
});

test('memory is bounded: past its capacity the oldest pair is forgotten and recorded again', () => {
  const written: AuditEvent[] = [];
  const sink = skipRepeatedIntrospections({ emit: (e) => written.push(e) }, 2);
  for (const jti of ['a', 'b', 'c', 'a']) sink.emit(introspected(jti, 'rs', true));
  assert.deepEqual(written.map((e) => e.tokenId), ['a', 'b', 'c', 'a']);
  sink.emit(introspected('c', 'rs', true));
  assert.equal(written.length, 4, 'c is still remembered');
});

test('the bound counts (token, caller) pairs: a token with several callers is forgotten with all of them', () => {
  const written: AuditEvent[] = [];
  const sink = skipRepeatedIntrospections({ emit: (e) => written.push(e) }, 3);
  for (const [jti, caller] of [['a', 'rs-1'], ['a', 'rs-2'], ['b', 'rs-1'], ['a', 'rs-1'], ['b', 'rs-1']] as const) {
    sink.emit(introspected(jti, caller, true));
  }
  assert.deepEqual(written.map((e) => `${e.tokenId}/${e.clientId}`), ['a/rs-1', 'a/rs-2', 'b/rs-1']);
  sink.emit(introspected('c', 'rs-1', true));
  sink.emit(introspected('b', 'rs-1', true));
  sink.emit(introspected('a', 'rs-2', true));
  assert.deepEqual(written.map((e) => `${e.tokenId}/${e.clientId}`), ['a/rs-1', 'a/rs-2', 'b/rs-1', 'c/rs-1', 'a/rs-2']);
});
