export { startServer, type RunningServer } from './server.js';
export { loadConfig, type ServerConfig } from './config/load-config.js';
export { buildApp } from './http/build-app.js';
export { runCli, COMMANDS } from './cli/main.js';
export type { CliIo } from './cli/command.js';
export { argon2idHasher, ARGON2ID_OPTIONS } from './password-hasher.js';
export { SETTINGS } from './config/settings.js';
export { createMetrics, type MetricsOptions, type TesseraMetrics } from './metrics/tessera-metrics.js';
