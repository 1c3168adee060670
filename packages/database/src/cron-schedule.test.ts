// rotation_schedule's cron expressions: next run times in UTC.
import { describe, expect, it } from 'vitest';
import { CronError, parseCronSchedule } from './cron-schedule.js';

const at = (iso: string) => Date.parse(iso);

describe('cron schedules', () => {
  it('finds the next minute that matches every field', () => {
    expect(parseCronSchedule('0 * * * *').next(at('2026-11-23T10:00:00Z'))).toBe(at('2026-11-23T11:00:00Z'));
    expect(parseCronSchedule('*/15 9-17 * * MON-FRI').next(at('2026-11-21T12:00:00Z'))).toBe(at('2026-11-23T09:00:00Z'));
    expect(parseCronSchedule('30 2 1 JAN *').next(at('2026-11-23T00:00:00Z'))).toBe(at('2027-01-01T02:30:00Z'));
    expect(parseCronSchedule('@daily').next(at('2026-11-23T00:00:00Z'))).toBe(at('2026-11-24T00:00:00Z'));
    expect(parseCronSchedule('0 0 * * 7').next(at('2026-11-23T00:00:00Z'))).toBe(at('2026-11-29T00:00:00Z'));
  });

  it('ORs day of month and day of week when both are restricted, as cron does', () => {
    expect(parseCronSchedule('0 0 1 * MON').next(at('2026-11-25T00:00:00Z'))).toBe(at('2026-11-30T00:00:00Z'));
  });

  it('refuses what it cannot read, and expressions that never match', () => {
    expect(() => parseCronSchedule('every hour')).toThrow(CronError);
    expect(() => parseCronSchedule('60 * * * *')).toThrow('invalid minute "60"');
    expect(() => parseCronSchedule('* * * *')).toThrow('expected exactly 5 fields');
    expect(() => parseCronSchedule('0 0 30 2 *').next(at('2026-01-01T00:00:00Z'))).toThrow('never matches');
  });
});
