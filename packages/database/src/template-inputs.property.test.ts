// Bad input to the database engine's small languages gets a clear error and nothing else:
// username templates and rotation schedules either parse or throw their own error, never hang.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nodeCrypto } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { compileUsernameTemplate, TemplateError } from './username-template.js';
import { CronError, parseCronSchedule } from './cron-schedule.js';

/** Text built from the pieces these languages are made of, so the generator reaches deep paths. */
const templateText = fc
  .array(fc.constantFrom('{{', '}}', ' ', '|', '(', ')', '"', '`', '.RoleName', '.DisplayName', '.Nope', 'printf', 'random', 'truncate', 'truncate_sha256', 'replace', 'uuid', 'unix_time', 'timestamp', '"%s-%s"', '"2006"', '3', '-1', 'x', '-', '\\'), { maxLength: 24 })
  .map((parts) => parts.join(''));

const cronText = fc
  .array(fc.constantFrom('*', '/', '-', ',', ' ', '0', '1', '7', '12', '15', '23', '30', '31', '59', '60', 'MON', 'FRI', 'JAN', 'DEC', '?', '@daily', '@hourly', 'x'), { maxLength: 16 })
  .map((parts) => parts.join(''));

describe('username templates and cron schedules under arbitrary input', () => {
  it('a template compiles and generates, or throws TemplateError', () => {
    fc.assert(
      fc.property(fc.oneof(templateText, fc.string({ maxLength: 40 })), (text) => {
        try {
          const template = compileUsernameTemplate(text, { random: seededRandom(1), clock: new TestClock(), crypto: nodeCrypto });
          expect(typeof template.generate({ DisplayName: 'token', RoleName: 'role' })).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(TemplateError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a schedule parses and finds a later minute, or throws CronError', () => {
    const after = Date.UTC(2026, 10, 23, 12, 0, 0);
    fc.assert(
      fc.property(fc.oneof(cronText, fc.string({ maxLength: 30 })), (text) => {
        try {
          const next = parseCronSchedule(text).next(after);
          expect(next).toBeGreaterThan(after);
          expect(next % 60_000).toBe(0);
        } catch (error) {
          expect(error).toBeInstanceOf(CronError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
