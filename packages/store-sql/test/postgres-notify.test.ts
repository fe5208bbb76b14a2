import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore, type PostgresStore } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';

const skip = await postgresSkipReason();

const entry = (target: string) => ({ kind: 'revoke.token' as const, target, createdAt: 1, expiresAt: 10_000 });

/** Polls `check` every 5 ms until it holds, failing after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

if (skip) it('PostgreSQL LISTEN/NOTIFY', { skip }, () => undefined);
else
  describe('PostgreSQL LISTEN/NOTIFY between two instances', () => {
    let database: TestDatabase;
    let writer: PostgresStore;
    let reader: PostgresStore;
    before(async () => {
      database = await createTestDatabase();
      writer = await openPostgresStore({ url: database.url });
      reader = await openPostgresStore({ url: database.url });
    });
    after(async () => {
      await reader?.close();
      await writer?.close();
      await database?.drop();
    });

    it('a commit at one store wakes the other and changes its change token; a rollback does not', async () => {
      let wakeUps = 0;
      const unsubscribe = reader.onChange(() => wakeUps++);
      await until('the LISTEN session to connect (one wake-up for the catch-up read)', () => wakeUps === 1);
      const before = await reader.changeToken!();
      assert.equal(await reader.changeToken!(), before, 'no commit, same token: sync() may skip its query');
      await writer.appendChanges([entry('a')]);
      await until('the notification', () => wakeUps === 2);
      assert.notEqual(await reader.changeToken!(), before);
      await assert.rejects(
        writer.driver.transaction(async (tx) => {
          await writer.driver.lockChangeLog(tx, true);
          throw new Error('rolled back');
        }),
      );
      await writer.appendChanges([entry('b')]);
      await until('the second notification', () => wakeUps >= 3);
      assert.equal(wakeUps, 3, 'the rolled-back transaction sent nothing');
      unsubscribe();
    });

    it('after the LISTEN session is killed it reconnects and wakes its subscriber to catch up', async () => {
      let wakeUps = 0;
      const unsubscribe = reader.onChange(() => wakeUps++);
      await reader.changeToken!();
      const listeners = async (): Promise<number[]> =>
        (
          await writer.driver.all("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN tessera_changes'")
        ).map((row) => Number(row['pid']));
      await until('a LISTEN session', async () => (await listeners()).length > 0);
      const [pid] = await listeners();
      await writer.driver.all('SELECT pg_terminate_backend(?)', [pid!]);
      const missed = await writer.appendChanges([entry('while-disconnected')]);
      await until('the reconnection wake-up', async () => {
        return wakeUps > 0 && !(await listeners()).includes(pid!) && (await listeners()).length > 0;
      });
      // Catch-up is a read from the cursor: the entry written while disconnected is there.
      const read = await reader.changesSince(missed[0]!.seq - 1, 10);
      assert.equal(read[0]?.target, 'while-disconnected');
      const count = wakeUps;
      await writer.appendChanges([entry('after-reconnect')]);
      await until('a notification on the new session', () => wakeUps > count);
      unsubscribe();
    });
  });
