/**
 * Send windows: a send that must reach the recipient inside business hours in their time zone. The one
 * rule a rep's reminder and a windowed programme step share: inside the window, send now; outside it,
 * defer to the next opening — never drop.
 */
import { isBusinessHours, nextOpening, type BusinessHours } from './business-hours.js';

/** The windows a send step may require (programme data: `window: 'business-hours'`). */
export const SEND_WINDOWS = ['business-hours'] as const;
export type SendWindow = (typeof SEND_WINDOWS)[number];

/** Deployment settings of the window: the hours, and the zone of a recipient whose own is unknown. */
export interface SendWindowSettings {
  businessHours: BusinessHours;
  /** IANA time zone. */
  defaultTimeZone: string;
}

/** 9–17, Monday–Friday, UTC: what a deployment that sets nothing gets. */
export const DEFAULT_SEND_WINDOW: SendWindowSettings = { businessHours: { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] }, defaultTimeZone: 'UTC' };

export interface WindowDeferral {
  kind: 'defer';
  reason: 'business-hours';
  summary: string;
  /** The next opening, ISO-8601: the deferred send waits until then. */
  until: string;
}

/** Undefined inside business hours in `timeZone`; else the deferral to the next opening. */
export function outsideBusinessHours(now: Date, timeZone: string, hours: BusinessHours): WindowDeferral | undefined {
  if (isBusinessHours(now, timeZone, hours)) return undefined;
  return { kind: 'defer', reason: 'business-hours', summary: `outside business hours in ${timeZone}`, until: nextOpening(now, timeZone, hours).toISOString() };
}

const HOURS_FORMAT = /^(\d{1,2})-(\d{1,2})\/([1-7](?:-[1-7])?(?:,[1-7](?:-[1-7])?)*)$/;

/**
 * Business hours as a setting is written: `9-17/1-5` (open 9:00, closed from 17:00, ISO weekdays 1–5,
 * Monday–Friday); weekdays may be a list of days and ranges, `10-16/1,3,5-6`. Undefined when malformed.
 */
export function parseBusinessHours(text: string): BusinessHours | undefined {
  const match = HOURS_FORMAT.exec(text.trim());
  if (!match) return undefined;
  const [startHour, endHour] = [Number(match[1]), Number(match[2])];
  if (startHour > 23 || endHour > 24 || startHour >= endHour) return undefined;
  const weekdays = new Set<number>();
  for (const part of match[3]!.split(',')) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    if (to! < from) return undefined;
    for (let d = from; d <= to!; d++) weekdays.add(d);
  }
  return { startHour, endHour, weekdays: [...weekdays].sort() };
}

export const BUSINESS_HOURS_FORMAT = 'must look like 9-17/1-5 (hours from-to / ISO weekdays, 1 = Monday)';
