// A backend's background chore on the mount's clock (Vault's periodic funcs): one run at a time, stopped at unmount or seal.
import type { Clock, TimerHandle } from './clock.js';
import type { Logger } from './logger.js';

export interface PeriodicTask {
  /** No further runs; resolves once a run in progress has finished. */
  stop(): Promise<void>;
}

export interface PeriodicTaskOptions {
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** What the log says when a run fails (the task is tried again next interval). */
  failure: string;
  /** Run once at start too, not only after the first interval. */
  immediately?: boolean;
}

/**
 * Runs `task` every `intervalMs`, counted from the end of the previous run, so runs never overlap.
 * A long run should look at `stopped()` between its steps: `stop()` waits for it.
 */
export function startPeriodicTask(options: PeriodicTaskOptions, task: (stopped: () => boolean) => Promise<void>): PeriodicTask {
  let timer: TimerHandle | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = (): void => {
    running = task(() => stopped)
      .catch((error: unknown) => options.logger.log('warn', options.failure, { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = undefined;
        schedule();
      });
  };
  const schedule = (): void => {
    if (!stopped) timer = options.clock.setTimer(options.intervalMs, run);
  };
  if (options.immediately) run();
  else schedule();
  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      await running;
    },
  };
}
