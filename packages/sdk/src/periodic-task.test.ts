// startPeriodicTask: runs on the clock, never overlaps, logs failures and keeps going, stops cleanly.
import { describe, expect, it } from 'vitest';
import { startPeriodicTask } from './periodic-task.js';
import { createSilentLogger, type Logger } from './logger.js';
import { TestClock } from './testing/test-clock.js';

describe('startPeriodicTask', () => {
  it('runs every interval after the previous run ends, survives a failure, and stops', async () => {
    const clock = new TestClock();
    const logged: string[] = [];
    const logger: Logger = { ...createSilentLogger(), log: (_level, message) => void logged.push(message) };
    let runs = 0;
    const task = startPeriodicTask({ clock, logger, intervalMs: 1000, failure: 'chore failed', immediately: true }, async () => {
      runs++;
      if (runs === 2) throw new Error('boom');
    });
    await clock.advance(0);
    expect(runs).toBe(1);
    await clock.advance(999);
    expect(runs).toBe(1);
    await clock.advance(1);
    expect(runs).toBe(2);
    expect(logged).toEqual(['chore failed']);
    await clock.advance(1000);
    expect(runs).toBe(3);
    await task.stop();
    await clock.advance(10_000);
    expect(runs).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });
});
