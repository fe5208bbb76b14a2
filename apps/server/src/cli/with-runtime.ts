import type { ClientAdminDeps } from '@tessera/core';
import { logEventSink } from '../events-to-log.js';
import { createLogger } from '../logging.js';
import { openRuntime, type Runtime } from '../runtime.js';
import type { CommandContext } from './command.js';

/** Opens the configured data directory for one command and closes it afterwards. */
export async function withRuntime<T>(
  context: CommandContext,
  work: (runtime: Runtime, admin: ClientAdminDeps) => Promise<T>,
): Promise<T> {
  const config = context.loadConfig();
  const runtime = await openRuntime(config);
  try {
    const logger = createLogger(config.logLevel, process.stderr);
    return await work(runtime, runtime.adminDeps(logEventSink(logger)));
  } finally {
    await runtime.close();
  }
}
