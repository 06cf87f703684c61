/**
 * The periods that list pages show: a day (`2026-11-20`), an ISO 8601 week (`2026-W47`, Monday to Sunday)
 * or a month (`2026-11`), each an inclusive range of days.
 */

export type Period =
  | { kind: 'day'; key: string; from: string; to: string }
  | { kind: 'week'; key: string; from: string; to: string }
  | { kind: 'month'; key: string; from: string; to: string };

const DAY_MS = 86_400_000;

function dayToMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return msToDay(dayToMs(day) + days * DAY_MS);
}

/** A real `YYYY-MM-DD` day between years 1900 and 2999, or null. */
export function parseDay(text: string): string | null {
  if (!/^(19|2\d)\d{2}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = dayToMs(text);
  return Number.isNaN(ms) || msToDay(ms) !== text ? null : text;
}

/** The ISO week of a day: the week belongs to the year of its Thursday. */
export function isoWeekOf(day: string): string {
  const ms = dayToMs(day);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = ms + (3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function dayPeriod(day: string): Period {
  return { kind: 'day', key: day, from: day, to: day };
}

/** `2026-W47` → Monday to Sunday of that week, or null when there is no such week. */
export function parseWeek(text: string): Period | null {
  const match = /^((?:19|2\d)\d{2})-W(\d{2})$/.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const week = Number(match[2]);
  // The Monday of week 1 is the Monday of the week that holds January 4th.
  const jan4 = Date.UTC(year, 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  const from = msToDay(week1Monday + (week - 1) * 7 * DAY_MS);
  if (week < 1 || isoWeekOf(from) !== text) return null;
  return { kind: 'week', key: text, from, to: addDays(from, 6) };
}

export function weekPeriod(day: string): Period {
  return parseWeek(isoWeekOf(day)) as Period;
}

/** `2026-11` → its first to last day, or null. */
export function parseMonth(text: string): Period | null {
  const match = /^((?:19|2\d)\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const month = Number(match[2]);
  if (month < 1 || month > 12) return null;
  const from = `${text}-01`;
  const to = msToDay(Date.UTC(Number(match[1]), month, 1) - DAY_MS);
  return { kind: 'month', key: text, from, to };
}

export function monthPeriod(day: string): Period {
  return parseMonth(day.slice(0, 7)) as Period;
}

/** The period just before or after this one, of the same kind. */
export function shiftPeriod(period: Period, direction: -1 | 1): Period {
  switch (period.kind) {
    case 'day':
      return dayPeriod(addDays(period.from, direction));
    case 'week':
      return weekPeriod(addDays(period.from, 7 * direction));
    case 'month':
      return monthPeriod(direction < 0 ? addDays(period.from, -1) : addDays(period.to, 1));
  }
}
