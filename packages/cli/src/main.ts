// The `coffer` command: `coffer server ...` and `coffer version`.
import { VERSION } from 'coffer';
import { runServerCommand } from './server/server-command.js';

const USAGE = `Usage: coffer <command> [args]

Commands:
    server     Start a Coffer server (Vault's /v1 API)
    version    Print the version
`;

function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      // Vault reloads its configuration on SIGHUP; Node's default would end the process without
      // sealing or releasing storage. Coffer does not reload: say so and keep serving.
      process.on('SIGHUP', () => process.stderr.write('==> SIGHUP received: Coffer does not reload its configuration; restart it to apply changes\n'));
      return runServerCommand(rest, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        env: process.env,
        cwd: process.cwd(),
        shutdownRequested: shutdownSignal(),
      });
    case 'version':
    case '-v':
    case '-version':
    case '--version':
      process.stdout.write(`Coffer (Vault API v${VERSION})\n`);
      return 0;
    case undefined:
    case '-h':
    case '-help':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 127 : 0;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
      return 127;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
