import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addDays,
  isoWeekOf,
  monthPeriod,
  parseDay,
  parseMonth,
  parseWeek,
  shiftPeriod,
  weekPeriod,
} from '../../../src/core/lists/periods.js';

test('days: only real ones parse; adding crosses months and leap days', () => {
  assert.equal(parseDay('2024-02-29'), '2024-02-29');
  assert.equal(parseDay('2026-02-29'), null);
  assert.equal(parseDay('2026-13-01'), null);
  assert.equal(parseDay('26-01-01'), null);
  assert.equal(parseDay('2026-01-01T00:00'), null);
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
});

test('ISO weeks: the week belongs to the year of its Thursday', () => {
  // Known values: 2026-01-01 is a Thursday (week 1); 2021-01-03 is a Sunday in week 53 of 2020.
  assert.equal(isoWeekOf('2026-01-01'), '2026-W01');
  assert.equal(isoWeekOf('2025-12-29'), '2026-W01');
  assert.equal(isoWeekOf('2021-01-03'), '2020-W53');
  assert.equal(isoWeekOf('2026-11-22'), '2026-W47');
  assert.deepEqual(parseWeek('2026-W47'), {
    kind: 'week',
    key: '2026-W47',
    from: '2026-11-16',
    to: '2026-11-22',
  });
  assert.deepEqual(parseWeek('2020-W53')?.from, '2020-12-28');
  // A year has 53 weeks when it starts on a Thursday (2026), or on a Wednesday in a leap year.
  assert.equal(parseWeek('2026-W53')?.to, '2027-01-03');
  assert.equal(parseWeek('2025-W53'), null);
  assert.equal(parseWeek('2026-W00'), null);
  assert.equal(parseWeek('2026-47'), null);
});

test('months and shifting periods', () => {
  assert.deepEqual(parseMonth('2024-02'), {
    kind: 'month',
    key: '2024-02',
    from: '2024-02-01',
    to: '2024-02-29',
  });
  assert.equal(parseMonth('2026-13'), null);
  assert.equal(parseMonth('2026-00'), null);
  assert.equal(shiftPeriod(monthPeriod('2026-01-15'), -1).key, '2025-12');
  assert.equal(shiftPeriod(monthPeriod('2026-12-15'), 1).key, '2027-01');
  assert.equal(shiftPeriod(weekPeriod('2026-01-01'), -1).key, '2025-W52');
  assert.equal(shiftPeriod(weekPeriod('2020-12-30'), 1).key, '2021-W01');
});
