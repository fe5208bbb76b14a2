import { startServer } from '../../server.js';
import type { Command } from '../command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the token server',
  usage: 'tessera serve [--port N] [--host ADDR] [--issuer URL] [--data-dir DIR] [--log-level LEVEL]',
  options: {},
  positionals: [],
  async run(context) {
    const server = await startServer(context.loadConfig());
    // The handlers go in before the readiness line: a supervisor may send SIGTERM as soon as it reads it.
    const stopped = new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        server.logger.info('shutting down');
        server.close().then(resolve, (error: unknown) => {
          server.logger.error({ err: error }, 'error during shutdown');
          resolve();
        });
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    for (const line of server.banner) context.io.err(line);
    if (context.json) context.io.out(JSON.stringify({ listening: server.url, issuer: server.auth.config.issuer }));
    else context.io.err(`Tessera listening on ${server.url} (issuer ${server.auth.config.issuer})`);
    await stopped;
    return 0;
  },
};
