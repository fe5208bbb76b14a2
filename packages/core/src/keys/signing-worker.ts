/**
 * The signing thread's side (see signing-thread.ts): holds private keys by handle and signs each batch
 * it receives synchronously, answering the batch's signatures in one message.
 */
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { jwsSign } from './jws-signature.js';
import { INPUT_SEPARATOR, SIGNATURE_SEPARATOR, type SigningThreadReply, type SigningThreadRequest } from './signing-protocol.js';

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
      const { batch, handles } = message;
      const signatures: string[] = [];
      let errors: Record<number, string> | undefined;
      message.inputs.split(INPUT_SEPARATOR).forEach((input, i) => {
        try {
          signatures.push(signOne(typeof handles === 'number' ? handles : handles[i]!, input));
        } catch (error) {
          signatures.push('');
          (errors ??= {})[i] = error instanceof Error ? error.message : String(error);
        }
      });
      const reply: SigningThreadReply = { batch, signatures: signatures.join(SIGNATURE_SEPARATOR) };
      if (errors) reply.errors = errors;
      port.postMessage(reply);
      break;
    }
  }
});
