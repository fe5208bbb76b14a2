// Runs in a worker thread: writes audit batches through its own SQLite connection, so the server's
// event loop never waits on the inserts or the commit. Messages: { id, events } → { id, error? }.
import { parentPort, workerData } from 'node:worker_threads';
import type { AuditEvent } from '@tessera/core';
import { openSqliteStore } from '@tessera/store-sql';

interface WorkerData {
  filename: string;
}

export interface AppendRequest {
  id: number;
  events: AuditEvent[];
}

export interface AppendReply {
  id: number;
  error?: string;
}

const port = parentPort;
if (!port) throw new Error('sqlite-audit-worker must run in a worker thread');
// The audit log's loss bound is documented as one flush interval on a crash: NORMAL keeps a commit
// through a process crash (it is in the WAL) and skips the fsync that FULL would do per batch.
const store = await openSqliteStore({ filename: (workerData as WorkerData).filename, migrate: false, synchronous: 'NORMAL' });
port.on('message', (request: AppendRequest | 'close') => {
  if (request === 'close') {
    void store.close().then(() => port.close());
    return;
  }
  store.appendAuditEvents(request.events).then(
    () => port.postMessage({ id: request.id } satisfies AppendReply),
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies AppendReply),
  );
});
port.postMessage('ready');
