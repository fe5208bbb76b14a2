// Stream reconnect and resume (issue: "stream reconnect and resume after the server restarts (no entry
// missed, none applied twice)"): the subscriber resumes with Last-Event-ID after Tessera restarts on the
// same data directory, including revocations written while it was down.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSqliteStore } from '@tessera/store-sql';
import { claimsOf, eventually, startFeedServer, type FeedServer } from './support/revocations-server.js';
import { subscribe } from './support/feed-client.js';

let t: FeedServer;
before(async () => {
  t = await startFeedServer();
});
after(() => t.close());

test('after a restart on the same data directory, the stream resumes from its cursor: nothing missed, nothing applied twice', async () => {
  const reader = await t.addFeedReader();
  const client = await t.addClient();
  const tokens = await Promise.all(Array.from({ length: 6 }, () => t.token(client)));
  await t.revoke(client, tokens[0]!);
  const s = await subscribe(t, reader);
  try {
    await t.revoke(client, tokens[1]!);
    await t.revoke(client, tokens[2]!);
    await eventually(() => s.check.isRevoked(claimsOf(tokens[2]!), 'k'), 'revocations before the restart');

    await t.stop();
    await eventually(() => s.count('disconnected') > 0, 'the subscriber to notice the restart');
    // Written while the server is down, as the CLI would: straight into the database.
    const store = await openSqliteStore({ filename: join(t.dataDir, 'tessera.db') });
    const now = Date.now();
    await store.appendChanges([
      { kind: 'revoke.token', target: claimsOf(tokens[3]!).jti, createdAt: now, expiresAt: now + 600_000 },
      { kind: 'revoke.subject', target: 'user-downtime', createdAt: now, expiresAt: now + 600_000 },
    ]);
    await store.close();
    await t.start();

    await t.revoke(client, tokens[4]!);
    await eventually(() => s.check.isRevoked(claimsOf(tokens[4]!), 'k'), 'a revocation after the restart');
    assert.equal(s.check.isRevoked(claimsOf(tokens[3]!), 'k'), true, 'the one written during the downtime');
    assert.equal(s.check.isRevoked({ jti: 'x', sub: 'user-downtime', client_id: 'c', iat: Math.floor(now / 1000) }, 'k'), true);
    for (const token of tokens.slice(0, 5)) assert.equal(s.check.isRevoked(claimsOf(token), 'k'), true);
    assert.equal(s.check.isRevoked(claimsOf(tokens[5]!), 'k'), false);

    const seqs = s.appliedSeqs();
    assert.equal(new Set(seqs).size, seqs.length, `no entry applied twice: ${seqs.join(',')}`);
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'applied in cursor order');
    assert.equal(s.count('snapshot'), 1, 'the cursor stayed valid: no second snapshot');
    assert.ok(s.count('connected') >= 2, 'reconnected');
    s.check.assertFresh();
  } finally {
    await s.check.close();
  }
});
