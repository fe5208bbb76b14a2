/**
 * The signing thread's side (see signing-thread.ts): holds private keys by handle and signs each batch
 * it receives synchronously, answering the batch's signatures in one message.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { SigningThreadReply, SigningThreadRequest } from './signing-thread.js';

const keys = new Map<number, { key: KeyObject; digest: string | null }>();
const port = parentPort;
if (!port) throw new Error('signing-worker.js runs only as a worker thread');

port.on('message', (message: SigningThreadRequest) => {
  switch (message.type) {
    case 'key':
      keys.set(message.handle, {
        key: createPrivateKey({ key: Buffer.from(message.der), format: 'der', type: 'pkcs8' }),
        digest: message.digest,
      });
      break;
    case 'forget':
      keys.delete(message.handle);
      break;
    case 'sign': {
      const results = message.items.map(([handle, data]): Uint8Array | string => {
        const entry = keys.get(handle);
        if (!entry) return `no signing key with handle ${handle}`;
        try {
          return sign(entry.digest, Buffer.from(data), { key: entry.key, dsaEncoding: 'ieee-p1363' });
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      });
      port.postMessage({ batch: message.batch, results } satisfies SigningThreadReply);
      break;
    }
  }
});
