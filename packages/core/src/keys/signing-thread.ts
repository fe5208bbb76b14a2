import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { INPUT_SEPARATOR, SIGNATURE_SEPARATOR, type SigningThreadReply, type SigningThreadRequest } from './signing-protocol.js';

/** A private key registered with the signing thread; dropping it lets the thread forget the key. */
export interface ThreadSigner {
  /** The base64url signature of `data`, a JWS signing input (ECDSA as IEEE P1363, as JWS needs). */
  sign(data: string): Promise<string>;
}

interface Waiter {
  resolve(signature: string): void;
  reject(error: Error): void;
  /** Held until the signature is settled, so the key cannot be forgotten while a signature for it is owed. */
  signer: ThreadSigner;
}

/** After a thread failed to start or died, signatures fail at once for this long instead of starting threads in a loop. */
const RESTART_PAUSE_MS = 1000;

/**
 * One worker thread that signs access tokens for the whole process, in batches.
 *
 * Signing on the event loop costs the loop the whole signature. Signing on libuv's pool with
 * crypto.sign's callback wakes a pool thread per token; under load those wake-ups preempt the event
 * loop thousands of times a second (measured: the loop ran ~80 % of the time, throughput flat from 20
 * to 100 connections). Here every token requested during one turn of the event loop goes to this
 * thread as one message, and the signatures come back as one message.
 *
 * Keys live in the thread by handle (KeyObjects are cloned across threads by Node, never exported);
 * a handle may be forgotten once its ThreadSigner is garbage-collected and no signature for it is owed.
 * If the thread dies, the batches it had been sent fail; the next batch starts a new thread, unless
 * the last one failed less than RESTART_PAUSE_MS ago, in which case that batch fails with its error.
 */
export class SigningThread {
  readonly #keys = new Map<number, { key: KeyObject; digest: string | null }>();
  readonly #forgetOnCollect = new FinalizationRegistry<number>((handle) => this.#forget(handle));
  #worker: Worker | undefined;
  #lastFailure: { at: number; error: Error } | undefined;
  #nextHandle = 0;
  #nextBatch = 0;
  #queuedHandles: number[] = [];
  #queuedInputs: string[] = [];
  #queuedWaiters: Waiter[] = [];
  readonly #inFlight = new Map<number, Waiter[]>();

  register(privateKey: KeyObject, digest: string | null): ThreadSigner {
    const handle = ++this.#nextHandle;
    this.#keys.set(handle, { key: privateKey, digest });
    this.#worker?.postMessage({ type: 'key', handle, key: privateKey, digest } satisfies SigningThreadRequest);
    const signer: ThreadSigner = { sign: (data) => this.#sign(signer, handle, data) };
    this.#forgetOnCollect.register(signer, handle);
    return signer;
  }

  #sign(signer: ThreadSigner, handle: number, data: string): Promise<string> {
    // Only JWS signing inputs (base64url segments and dots) are signed here; the batch format relies on it.
    if (data.includes(INPUT_SEPARATOR)) return Promise.reject(new Error('the signing thread signs JWS signing inputs only'));
    return new Promise((resolve, reject) => {
      if (this.#queuedInputs.length === 0) setImmediate(() => this.#flush());
      this.#queuedHandles.push(handle);
      this.#queuedInputs.push(data);
      this.#queuedWaiters.push({ resolve, reject, signer });
    });
  }

  #flush(): void {
    const handles = this.#queuedHandles;
    const inputs = this.#queuedInputs;
    const waiters = this.#queuedWaiters;
    this.#queuedHandles = [];
    this.#queuedInputs = [];
    this.#queuedWaiters = [];
    try {
      const worker = this.#worker ?? this.#start();
      const batch = ++this.#nextBatch;
      if (this.#inFlight.size === 0) worker.ref();
      this.#inFlight.set(batch, waiters);
      const first = handles[0]!;
      const oneKey = handles.every((handle) => handle === first);
      worker.postMessage({
        type: 'sign',
        batch,
        handles: oneKey ? first : handles,
        inputs: inputs.join(INPUT_SEPARATOR),
      } satisfies SigningThreadRequest);
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      for (const waiter of waiters) waiter.reject(reason);
    }
  }

  #start(): Worker {
    const failure = this.#lastFailure;
    if (failure && Date.now() - failure.at < RESTART_PAUSE_MS) throw failure.error;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./signing-worker.js', import.meta.url));
    } catch (error) {
      this.#lastFailure = { at: Date.now(), error: new Error(`the signing thread could not start: ${String(error)}`) };
      throw this.#lastFailure.error;
    }
    for (const [handle, { key, digest }] of this.#keys) {
      worker.postMessage({ type: 'key', handle, key, digest } satisfies SigningThreadRequest);
    }
    worker.on('message', (reply: SigningThreadReply) => this.#settle(reply));
    const fail = (error: Error): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#lastFailure = { at: Date.now(), error };
      for (const waiters of this.#inFlight.values()) for (const waiter of waiters) waiter.reject(error);
      this.#inFlight.clear();
    };
    worker.on('error', (error) => fail(new Error(`the signing thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`the signing thread stopped (exit code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  #settle({ batch, signatures, errors }: SigningThreadReply): void {
    const waiters = this.#inFlight.get(batch);
    if (!waiters) return;
    this.#inFlight.delete(batch);
    if (this.#inFlight.size === 0) this.#worker?.unref();
    const each = signatures.split(SIGNATURE_SEPARATOR);
    for (let i = 0; i < waiters.length; i++) {
      const error = errors?.[i];
      if (error === undefined) waiters[i]!.resolve(each[i]!);
      else waiters[i]!.reject(new Error(`signing failed: ${error}`));
    }
  }

  /**
   * Stops the thread. Batches already sent to it fail; signatures requested since the last turn of
   * the event loop go to a new thread.
   */
  async stop(): Promise<void> {
    await this.#worker?.terminate();
    this.#lastFailure = undefined;
  }

  #forget(handle: number): void {
    this.#keys.delete(handle);
    this.#worker?.postMessage({ type: 'forget', handle } satisfies SigningThreadRequest);
  }
}

/** The process's signing thread, started by the first signature. */
export const signingThread = new SigningThread();
