// The `coffer` command's parts, for hosts that start a server from their own code.
export { runServerCommand, SERVER_USAGE } from './server/server-command.js';
export type { CommandIo } from './server/server-command.js';
export { startConfiguredServer, startDevServer, ServerStartError } from './server/start-server.js';
export type { RunningServer, StartEnvironment } from './server/start-server.js';
export { parseServerFlags, ServerFlagsError } from './server-flags.js';
export type { ServerFlags } from './server-flags.js';
export { loadServerConfig, parseServerConfig, ServerConfigError } from './server-config/index.js';
export type { ServerConfig } from './server-config/index.js';
