// Watches every Fastify app this test process creates (through Fastify's `fastify.initialization`
// diagnostics channel, so the server code needs no test hook) and records each credential that crosses
// it, in either direction, whichever client library the test used.
import { subscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { secrets } from './secret-recorder.js';

/** Form, query and JSON names whose values are credentials. */
const SECRET_NAMES = [
  'client_secret',
  'client_assertion',
  'assertion',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'code',
  'code_verifier',
  'device_code',
  'user_code',
  'password',
  'new_password',
  'csrf',
  'subject_token',
];

function rememberFields(source: unknown, kind: string): void {
  if (typeof source !== 'object' || source === null) return;
  const fields = source as Record<string, unknown>;
  for (const name of SECRET_NAMES) {
    const value = fields[name];
    if (Array.isArray(value)) for (const item of value) secrets.remember(item, `${kind} ${name}`);
    else secrets.remember(value, `${kind} ${name}`);
  }
}

function rememberCookies(header: string | string[] | number | undefined, kind: string): void {
  for (const line of Array.isArray(header) ? header : [header]) {
    if (typeof line !== 'string') continue;
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) secrets.remember(pair.slice(eq + 1), kind);
    }
  }
}

function rememberRequest(request: FastifyRequest): void {
  secrets.remember(request.headers.authorization, 'authorization header');
  secrets.remember(request.headers['dpop'], 'dpop header');
  rememberCookies(request.headers.cookie, 'cookie');
}

function rememberReply(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
  rememberFields(request.body, 'request');
  rememberFields(request.query, 'query');
  rememberCookies(reply.getHeader('set-cookie'), 'set-cookie');
  const location = reply.getHeader('location');
  if (typeof location === 'string') {
    try {
      const url = new URL(location, 'http://redirect.invalid');
      rememberFields(Object.fromEntries(url.searchParams), 'redirect');
      rememberFields(Object.fromEntries(new URLSearchParams(url.hash.slice(1))), 'redirect fragment');
    } catch {
      // Not a URL: nothing to record.
    }
  }
  if (typeof payload === 'string' && payload.startsWith('{') && payload.length < 1_000_000) {
    try {
      rememberFields(JSON.parse(payload), 'response');
    } catch {
      // Not JSON.
    }
  }
}

function tap(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    rememberRequest(request);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    rememberReply(request, reply, payload);
    done(null, payload);
  });
}

let installed = false;

/** Idempotent; test-server.ts installs it, so every server the HTTP tests start is watched. */
export function installSecretTap(): void {
  if (installed) return;
  installed = true;
  subscribe('fastify.initialization', (message) => tap((message as { fastify: FastifyInstance }).fastify));
}
