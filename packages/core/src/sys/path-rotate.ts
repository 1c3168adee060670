// sys/rotate, sys/rotate/config, sys/key-status: the barrier keyring's terms (vault-api.md S14–S16).
import { definePath, field, formatDuration, formatRfc3339Nano, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { SysDeps } from './sys-deps.js';

const configFields = {
  max_operations: field.int('Encryptions after which the key is rotated automatically.'),
  interval: field.duration('Age after which the key is rotated automatically (0 or at least 24h).'),
  enabled: field.bool('Whether automatic rotation is on.'),
};

export function rotatePaths(deps: SysDeps) {
  async function rotate(): Promise<undefined> {
    const term = await deps.keyring.rotate();
    deps.events.emit('key-rotated', { term });
    return undefined;
  }

  function keyStatus(): HandlerResult {
    const status = deps.keyring.keyStatus();
    return {
      data: {
        term: status.term,
        install_time: formatRfc3339Nano(status.installTimeMs),
        encryptions: status.encryptions,
      },
      injectData: true,
    };
  }

  function readConfig(): HandlerResult {
    const config = deps.keyring.rotationConfig();
    return {
      data: {
        max_operations: config.maxOperations,
        interval: formatDuration(Math.round(config.intervalMs / 1000)),
        enabled: config.enabled,
      },
    };
  }

  async function writeConfig(ctx: PathContext<typeof configFields>): Promise<undefined> {
    const current = deps.keyring.rotationConfig();
    await deps.keyring.setRotationConfig({
      maxOperations: ctx.data.max_operations ?? current.maxOperations,
      intervalMs: ctx.data.interval !== undefined ? ctx.data.interval * 1000 : current.intervalMs,
      enabled: ctx.data.enabled ?? current.enabled,
    });
    return undefined;
  }

  return [
    definePath({
      pattern: 'rotate',
      operations: { update: { summary: 'Rotate the barrier encryption key.', handler: rotate } },
      help: { synopsis: 'Rotates the backend encryption key used to persist data.' },
    }),
    definePath({
      pattern: 'rotate/config',
      fields: configFields,
      operations: {
        read: { summary: 'Read the automatic rotation settings.', handler: readConfig },
        update: { summary: 'Change the automatic rotation settings.', handler: writeConfig },
      },
      help: { synopsis: 'Configures settings related to the backend encryption key management.' },
    }),
    definePath({
      pattern: 'key-status',
      operations: { read: { summary: 'The active barrier key term.', handler: keyStatus } },
      help: { synopsis: 'Provides information about the backend encryption key.' },
    }),
  ];
}
