/**
 * The signing thread's side (see signing-thread.ts): holds private keys by handle and signs each batch
 * it receives synchronously, answering the batch's signatures in one message.
 */
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { jwsSign } from './jws-signature.js';
import type { SigningThreadReply, SigningThreadRequest } from './signing-thread.js';

const keys = new Map<number, { key: KeyObject; digest: string | null }>();
const port = parentPort;
if (!port) throw new Error('signing-worker.js runs only as a worker thread');

function signOne(handle: number, input: string): string {
  const entry = keys.get(handle);
  if (!entry) throw new Error(`no signing key with handle ${handle}`);
  return jwsSign(entry.digest, entry.key, input).toString('base64url');
}

port.on('message', (message: SigningThreadRequest) => {
  switch (message.type) {
    case 'key':
      keys.set(message.handle, { key: message.key, digest: message.digest });
      break;
    case 'forget':
      keys.delete(message.handle);
      break;
    case 'sign': {
      const reply: SigningThreadReply = { batch: message.batch, signatures: [] };
      message.inputs.forEach((input, i) => {
        try {
          reply.signatures.push(signOne(message.handles[i]!, input));
        } catch (error) {
          reply.signatures.push('');
          (reply.errors ??= {})[i] = error instanceof Error ? error.message : String(error);
        }
      });
      port.postMessage(reply);
      break;
    }
  }
});
