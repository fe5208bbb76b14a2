import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError } from '@tessera/core';
import { isDatabaseUnavailable, postgresClientConfig as clientConfig, redactUrl, toPositional, translatePgError } from '@tessera/store-sql';

describe('PostgreSQL driver: placeholders, URLs and TLS settings (no server needed)', () => {
  it('rewrites ? placeholders as $n outside quoted text', () => {
    assert.equal(toPositional('SELECT * FROM t WHERE a = ? AND b IN (?, ?)'), 'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
    assert.equal(toPositional("SELECT '?' AS q, \"a?\" FROM t WHERE x = ?"), "SELECT '?' AS q, \"a?\" FROM t WHERE x = $1");
  });

  it('redacts the password and only the password', () => {
    assert.equal(redactUrl('postgres://tessera:hunter2@db.internal:5432/tessera?sslmode=require'), 'postgres://tessera:***@db.internal:5432/tessera?sslmode=require');
    assert.equal(redactUrl('postgres://db.internal/tessera'), 'postgres://db.internal/tessera');
    assert.ok(!redactUrl('postgres://u:p%40ss@h/db').includes('p%40ss'));
  });

  it('keeps libpq meanings of sslmode and lets the settings override the URL', () => {
    assert.equal(clientConfig({ url: 'postgres://h/db' }).ssl, false);
    assert.deepEqual(clientConfig({ url: 'postgres://h/db?sslmode=require' }).ssl, { rejectUnauthorized: false });
    const full = clientConfig({ url: 'postgres://h/db?sslmode=require', sslMode: 'verify-full', sslCa: 'PEM' });
    assert.deepEqual(full.ssl, { ca: 'PEM', rejectUnauthorized: true });
    assert.ok(!String(full.connectionString).includes('sslmode'), 'TLS parameters are taken out of the URL');
    const ca = clientConfig({ url: 'postgres://h/db?sslmode=verify-ca', sslCa: 'PEM' }).ssl as { checkServerIdentity?: unknown; rejectUnauthorized: boolean };
    assert.equal(ca.rejectUnauthorized, true);
    assert.equal(typeof ca.checkServerIdentity, 'function');
    assert.throws(() => clientConfig({ url: 'postgres://h/db?sslmode=prefer' }), /sslmode "prefer" is not supported/);
    assert.throws(() => clientConfig({ url: 'mysql://u:hunter2@h/db' }), (error: Error) => !error.message.includes('hunter2'));
  });

  it('applies pool size and timeouts', () => {
    const config = clientConfig({ url: 'postgres://h/db', poolSize: 4, statementTimeoutMs: 1500, connectTimeoutMs: 700 });
    assert.equal(config.max, 4);
    assert.equal(config.statement_timeout, 1500);
    assert.equal(config.connectionTimeoutMillis, 700);
    assert.ok((config.query_timeout ?? 0) > 1500);
  });

  it('turns "database unavailable" failures, and only those, into 503 temporarily_unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    for (const error of [refused, shutdown, timeout, new Error('Connection terminated unexpectedly'), new AggregateError([refused])]) {
      assert.equal(isDatabaseUnavailable(error), true, error.message);
      const translated = translatePgError(error);
      assert.ok(translated instanceof OAuthError);
      assert.equal(translated.code, 'temporarily_unavailable');
      assert.equal(translated.status, 503);
    }
    const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
    assert.equal(translatePgError(syntax), syntax);
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    assert.equal(translatePgError(unique), unique);
  });
});
