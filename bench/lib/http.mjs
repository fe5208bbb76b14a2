/** Small HTTP helpers for setting up and checking targets (not for load: that is autocannon's job). */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:net';
import { URLSearchParams } from 'node:url';

/* global fetch -- Node's built-in fetch (undici) */

export const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 §2.3.1 Basic credentials: id and secret form-encoded, then base64. */
export function basicAuth(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export function formBody(params) {
  return new URLSearchParams(params).toString();
}

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One request; answers the status and the parsed JSON body (or the text when it is not JSON). */
export async function call(url, { method = 'GET', headers = {}, body } = {}) {
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

export function postForm(url, params, authorization) {
  return call(url, { method: 'POST', headers: { 'content-type': FORM, authorization }, body: formBody(params) });
}

/** Runs `fn(i)` for i in [0, count) with at most `limit` in flight; answers the results in order. */
export async function mapLimit(count, limit, fn) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/** The decoded JOSE header of a compact JWS, or undefined when `token` is not one. */
export function jwtHeader(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
