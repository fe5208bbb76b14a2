// The per-request logger is created only when a line is written: nothing is written below the level,
// and what is written carries the request id and the same redaction as the server's logger.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { createLogger } from '../dist/logging.js';
import { lazyRequestLogger } from '../dist/http/lazy-request-logger.js';

function capture(level: string): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

const requestLogger = (parent: ReturnType<typeof createLogger>, reqId: string): FastifyBaseLogger =>
  lazyRequestLogger.call(undefined as never, parent as unknown as FastifyBaseLogger, { reqId }, {}, undefined as never);

describe('lazy per-request logger', () => {
  test('writes nothing below the level and answers the parent level', () => {
    const { logger, lines } = capture('warn');
    const log = requestLogger(logger, 'r-1');
    log.trace('t');
    log.debug({ code: 'invalid_client' }, 'request refused');
    log.info('i');
    assert.equal(log.level, 'warn');
    assert.equal(lines.length, 0);
  });

  test('a written line carries the request id, the base bindings and the redaction', () => {
    const { logger, lines } = capture('info');
    const log = requestLogger(logger, 'r-2');
    log.info('first');
    log.error({ body: { client_secret: 'tsec_should_not_appear' }, detail: 'x' }, 'request failed');
    log.debug('below the level');
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.equal(line['reqId'], 'r-2');
      assert.equal(line['service'], 'tessera');
    }
    assert.deepEqual(lines[1]!['body'], { client_secret: '[redacted]' });
    assert.equal(lines[1]!['msg'], 'request failed');
  });

  test('child loggers and level changes go through a real child bound to the request', () => {
    const { logger, lines } = capture('info');
    const log = requestLogger(logger, 'r-3');
    log.child({ stream: 'revocations' }).warn('slow reader');
    log.level = 'debug';
    log.debug('now enabled');
    assert.equal(logger.level, 'info');
    assert.deepEqual(
      lines.map((line) => [line['reqId'], line['stream'], line['msg']]),
      [
        ['r-3', 'revocations', 'slow reader'],
        ['r-3', undefined, 'now enabled'],
      ],
    );
  });
});
