import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogArguments = [unknown, ...unknown[]];
type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;

/**
 * A request's logger that becomes a real pino child (bound to the request id) only when a line is
 * written at an enabled level. Fastify makes a child per request; with the redaction paths every
 * child costs the serialisation of its bindings through the redactor, on requests that, at the
 * default level, never log a line. Lines that are written go through the same child, so they carry
 * the same request id and the same redaction.
 */
class LazyRequestLogger {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #real: Logger | undefined;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #logger(): Logger {
    return (this.#real ??= this.#parent.child(this.#bindings, this.#options));
  }

  #write(level: Level, args: LogArguments): void {
    if (this.#real === undefined && !this.#parent.isLevelEnabled(level)) return;
    (this.#logger()[level] as (...line: LogArguments) => void)(...args);
  }

  get level(): string {
    return this.#real?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal(...args: LogArguments): void {
    this.#write('fatal', args);
  }
  error(...args: LogArguments): void {
    this.#write('error', args);
  }
  warn(...args: LogArguments): void {
    this.#write('warn', args);
  }
  info(...args: LogArguments): void {
    this.#write('info', args);
  }
  debug(...args: LogArguments): void {
    this.#write('debug', args);
  }
  trace(...args: LogArguments): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options) as FastifyBaseLogger;
  }
}

/**
 * Fastify's `childLoggerFactory`: a lazy child per request. A route with its own log level gets a
 * real child at once (the level is part of the child); none of Tessera's routes sets one.
 */
export const lazyRequestLogger: ChildLoggerFactory = (logger, bindings, options) => {
  const parent = logger as unknown as Logger;
  if (options.level !== undefined) return parent.child(bindings, options) as FastifyBaseLogger;
  return new LazyRequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
};
