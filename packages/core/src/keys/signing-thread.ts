import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';

export type SigningThreadRequest =
  | { type: 'key'; handle: number; der: Uint8Array; digest: string | null }
  | { type: 'forget'; handle: number }
  | { type: 'sign'; batch: number; handles: number[]; inputs: string[] };

/**
 * Per input of the batch, in order, the base64url signature; an input that could not be signed has
 * an empty string there and its reason in `errors`.
 */
export interface SigningThreadReply {
  batch: number;
  signatures: string[];
  errors?: Record<number, string>;
}

interface Waiter {
  resolve(signature: string): void;
  reject(error: Error): void;
}

/** A private key registered with the signing thread; dropping it lets the thread forget the key. */
export interface ThreadSigner {
  /** The base64url signature of `data` (ECDSA as IEEE P1363, as JWS needs). */
  sign(data: string): Promise<string>;
}

/**
 * One worker thread that signs access tokens for the whole process, in batches.
 *
 * Signing on the event loop costs the loop the whole signature. Signing on libuv's pool with
 * crypto.sign's callback wakes a pool thread per token; under load those wake-ups preempt the event
 * loop thousands of times a second (measured: the loop ran ~80 % of the time, throughput flat from 20
 * to 100 connections). Here every token requested during one turn of the event loop goes to this
 * thread as one message, and the signatures come back as one message.
 *
 * Keys live in the thread by handle; a handle is forgotten once its ThreadSigner is garbage-collected.
 * If the thread dies, the signatures it owed fail and the next signature starts a new thread.
 */
export class SigningThread {
  readonly #keys = new Map<number, { der: Uint8Array; digest: string | null }>();
  readonly #forgetOnCollect = new FinalizationRegistry<number>((handle) => this.#forget(handle));
  #worker: Worker | undefined;
  #nextHandle = 0;
  #nextBatch = 0;
  #queuedHandles: number[] = [];
  #queuedInputs: string[] = [];
  #queuedWaiters: Waiter[] = [];
  readonly #inFlight = new Map<number, Waiter[]>();

  register(privateKey: KeyObject, digest: string | null): ThreadSigner {
    const handle = ++this.#nextHandle;
    const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
    this.#keys.set(handle, { der, digest });
    this.#worker?.postMessage({ type: 'key', handle, der, digest } satisfies SigningThreadRequest);
    const signer: ThreadSigner = { sign: (data) => this.#sign(handle, data) };
    this.#forgetOnCollect.register(signer, handle);
    return signer;
  }

  #sign(handle: number, data: string): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.#queuedInputs.length === 0) setImmediate(() => this.#flush());
      this.#queuedHandles.push(handle);
      this.#queuedInputs.push(data);
      this.#queuedWaiters.push({ resolve, reject });
    });
  }

  #flush(): void {
    const handles = this.#queuedHandles;
    const inputs = this.#queuedInputs;
    const waiters = this.#queuedWaiters;
    this.#queuedHandles = [];
    this.#queuedInputs = [];
    this.#queuedWaiters = [];
    const worker = this.#worker ?? this.#start();
    const batch = ++this.#nextBatch;
    if (this.#inFlight.size === 0) worker.ref();
    this.#inFlight.set(batch, waiters);
    worker.postMessage({ type: 'sign', batch, handles, inputs } satisfies SigningThreadRequest);
  }

  #start(): Worker {
    const worker = new Worker(new URL('./signing-worker.js', import.meta.url));
    for (const [handle, { der, digest }] of this.#keys) {
      worker.postMessage({ type: 'key', handle, der, digest } satisfies SigningThreadRequest);
    }
    worker.on('message', (reply: SigningThreadReply) => this.#settle(reply));
    const fail = (error: Error): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      for (const waiters of this.#inFlight.values()) for (const waiter of waiters) waiter.reject(error);
      this.#inFlight.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the signing thread stopped (exit code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  #settle({ batch, signatures, errors }: SigningThreadReply): void {
    const waiters = this.#inFlight.get(batch);
    if (!waiters) return;
    this.#inFlight.delete(batch);
    if (this.#inFlight.size === 0) this.#worker?.unref();
    for (let i = 0; i < waiters.length; i++) {
      const error = errors?.[i];
      if (error === undefined) waiters[i]!.resolve(signatures[i]!);
      else waiters[i]!.reject(new Error(`signing failed: ${error}`));
    }
  }

  /** Stops the thread; signatures still owed fail, and the next signature starts a new thread. */
  async stop(): Promise<void> {
    await this.#worker?.terminate();
  }

  #forget(handle: number): void {
    this.#keys.delete(handle);
    this.#worker?.postMessage({ type: 'forget', handle } satisfies SigningThreadRequest);
  }
}

/** The process's signing thread, started by the first signature. */
export const signingThread = new SigningThread();
