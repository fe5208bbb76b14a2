/** The messages between the event loop (signing-thread.ts) and the signing thread (signing-worker.ts). */
import type { KeyObject } from 'node:crypto';

/**
 * A batch travels as one string each way (cloning one string costs about half as much as an array of
 * them): the signing inputs joined by `\n`, the signatures by ` `; neither separator occurs in a JWS
 * signing input or a base64url signature. `handles` is one number when every input uses the same key.
 */
export type SigningThreadRequest =
  | { type: 'key'; handle: number; key: KeyObject; digest: string | null }
  | { type: 'forget'; handle: number }
  | { type: 'sign'; batch: number; handles: number | number[]; inputs: string };

export const INPUT_SEPARATOR = '\n';
export const SIGNATURE_SEPARATOR = ' ';

/**
 * Per input of the batch, in order, the base64url signature; an input that could not be signed has
 * an empty string there and its reason in `errors`.
 */
export interface SigningThreadReply {
  batch: number;
  signatures: string;
  errors?: Record<number, string>;
}
