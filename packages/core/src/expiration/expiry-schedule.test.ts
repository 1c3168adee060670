// The single-timer expiry schedule: due order, moves, deletes, one armed timer, stale-entry compaction.
import { describe, expect, it } from 'vitest';
import { TestClock } from '@coffer/sdk/testing';
import { createExpirySchedule } from './expiry-schedule.js';

function setup() {
  const clock = new TestClock();
  const fired: Array<[string, number]> = [];
  const schedule = createExpirySchedule(clock, (id) => fired.push([id, clock.now() - start]));
  const start = clock.now();
  return { clock, fired, schedule, start };
}

describe('expiry schedule', () => {
  it('fires each lease at its due time, in due order, ties in the order they were set', async () => {
    const { clock, fired, schedule, start } = setup();
    schedule.set('c', start + 3000);
    schedule.set('a', start + 1000);
    schedule.set('b1', start + 2000);
    schedule.set('b2', start + 2000);
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([['a', 1000]]);
    await clock.advance(5000);
    expect(fired).toEqual([
      ['a', 1000],
      ['b1', 2000],
      ['b2', 2000],
      ['c', 3000],
    ]);
    expect(schedule.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps exactly one timer armed however many leases are scheduled', async () => {
    const { clock, fired, schedule, start } = setup();
    for (let i = 0; i < 5000; i++) schedule.set(`l${i}`, start + 1000 + ((i * 7919) % 5000) * 10);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(60_000);
    expect(fired).toHaveLength(5000);
    const times = fired.map(([, t]) => t);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(clock.pendingTimers).toBe(0);
  });

  it('moves a lease later or earlier, and forgets a deleted one', async () => {
    const { clock, fired, schedule, start } = setup();
    schedule.set('later', start + 1000);
    schedule.set('earlier', start + 5000);
    schedule.set('gone', start + 500);
    schedule.set('later', start + 4000);
    schedule.set('earlier', start + 2000);
    schedule.delete('gone');
    expect(schedule.dueAt('gone')).toBeUndefined();
    expect(schedule.dueAt('later')).toBe(start + 4000);
    await clock.advance(10_000);
    expect(fired).toEqual([
      ['earlier', 2000],
      ['later', 4000],
    ]);
  });

  it('fires a lease set in the past on the next step, and can be re-set from its own callback', async () => {
    const clock = new TestClock();
    const fired: number[] = [];
    let retries = 0;
    const schedule = createExpirySchedule(clock, (id) => {
      fired.push(clock.now());
      if (retries++ < 2) schedule.set(id, clock.now() + 100);
    });
    const start = clock.now();
    schedule.set('x', start - 50);
    await clock.advance(0);
    await clock.advance(1000);
    expect(fired).toEqual([start, start + 100, start + 200]);
  });

  it('stays correct after many moves leave stale heap entries behind', async () => {
    const { clock, fired, schedule, start } = setup();
    for (let i = 0; i < 5000; i++) schedule.set('renewed', start + 1000 + i);
    schedule.set('other', start + 2000);
    await clock.advance(10_000);
    expect(fired).toEqual([
      ['other', 2000],
      ['renewed', 1000 + 4999],
    ]);
  });

  it('clear() cancels the armed timer', async () => {
    const { clock, fired, schedule, start } = setup();
    schedule.set('a', start + 1000);
    schedule.clear();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(5000);
    expect(fired).toEqual([]);
  });
});
