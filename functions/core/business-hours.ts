/**
 * Local time in a recipient's time zone, with nothing but the runtime's Intl data: the local day of an
 * instant, the end of a local day, and the next opening of business hours. A reminder that falls
 * outside the window is deferred to the next opening, never dropped.
 */
export interface BusinessHours {
  /** Local hour the window opens (inclusive), 0–23. */
  startHour: number;
  /** Local hour the window closes (exclusive), 1–24. */
  endHour: number;
  /** ISO weekdays the window is open: 1 = Monday … 7 = Sunday. */
  weekdays: readonly number[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Is this an IANA time zone the runtime knows? */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface LocalParts {
  /** YYYY-MM-DD */
  date: string;
  hour: number;
  minute: number;
  weekday: number;
}

export function localParts(at: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday!] ?? 1,
  };
}

export const localDate = (at: Date, timeZone: string) => localParts(at, timeZone).date;

const QUARTER_HOUR = 15 * 60_000;
const SEARCH_LIMIT = 15 * 24 * 4; // fifteen days of quarter hours: past any weekend and DST change

const inWindow = (p: LocalParts, hours: BusinessHours) => hours.weekdays.includes(p.weekday) && p.hour >= hours.startHour && p.hour < hours.endHour;

/** `at` itself when it is inside business hours, else the next instant the window opens. */
export function nextOpening(at: Date, timeZone: string, hours: BusinessHours): Date {
  if (inWindow(localParts(at, timeZone), hours)) return at;
  // Quarter hours, so zones with 30- and 45-minute offsets open on time too.
  let t = Math.ceil(at.getTime() / QUARTER_HOUR) * QUARTER_HOUR;
  for (let i = 0; i < SEARCH_LIMIT; i++, t += QUARTER_HOUR) {
    if (inWindow(localParts(new Date(t), timeZone), hours)) return new Date(t);
  }
  throw new RangeError(`business hours ${JSON.stringify(hours)} never open in ${timeZone}`);
}

export const isBusinessHours = (at: Date, timeZone: string, hours: BusinessHours) => inWindow(localParts(at, timeZone), hours);

/** The first instant of the local day after the one `at` falls on. */
export function startOfNextLocalDay(at: Date, timeZone: string): Date {
  const today = localDate(at, timeZone);
  // Local days are 23–25 hours long: step by quarter hours from 20 hours on until the date changes.
  let t = Math.floor(at.getTime() / QUARTER_HOUR) * QUARTER_HOUR;
  for (let i = 0; i < 4 * 30; i++, t += QUARTER_HOUR) if (localDate(new Date(t), timeZone) !== today) return new Date(t);
  throw new RangeError(`no next day after ${at.toISOString()} in ${timeZone}`);
}

/** 23:59:59 local time on the given local date (YYYY-MM-DD): the due moment of a module due that day. */
export function endOfLocalDate(date: string, timeZone: string): Date {
  // Start from UTC midnight of the date and walk to the start of the next local day.
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  let t = Date.UTC(y, m - 1, d, 12); // noon UTC is on this local date in every zone between −12 and +11
  if (localDate(new Date(t), timeZone) !== date) t = Date.UTC(y, m - 1, d, 0);
  return new Date(startOfNextLocalDay(new Date(t), timeZone).getTime() - 1000);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** "Mon 3 Mar" in the rep's zone, for a plan in an email. */
export function displayDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(at);
}
