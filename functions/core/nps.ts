/**
 * Net Promoter Score: how an answer is classed, how a set of answers scores, how often a customer
 * may be asked, and the one-click 0–10 scale the survey email carries (each link opens a page that
 * asks to confirm: a link prefetcher following all eleven must not answer for anyone).
 */
import { DAY_MS } from './clock.js';
import { escapeHtml } from './render.js';

export type NpsCategory = 'detractor' | 'passive' | 'promoter';

export interface NpsResponse {
  /** The survey's ledger step (`nps#2026-12-01`); absent for an answer that came without a survey. */
  surveyId?: string;
  score: number;
  comment?: string;
  at: string;
  source: 'link' | 'api' | 'event';
  respondentEmail?: string;
}

export const SURVEY_THROTTLE_DAYS = 90;

export const NPS_SCALE_LABELS = { low: 'Not at all likely', high: 'Extremely likely' } as const;

/** An integer 0–10; `'7'`, `5.5` and `NaN` are not scores. */
export function validNpsScore(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 10;
}

export function npsCategory(score: number): NpsCategory {
  if (!validNpsScore(score)) throw new RangeError(`an NPS score is an integer 0–10, got ${score}`);
  return score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter';
}

/**
 * % promoters − % detractors, −100..100, rounded half away from zero so that equal and opposite mixes
 * score equal and opposite (Math.round alone takes 12.5 to 13 but −12.5 to −12). Undefined when there
 * is no valid answer; an invalid score among the answers is left out rather than failing a whole page.
 */
export function npsScore(responses: readonly { score: number }[]): number | undefined {
  const scores = responses.map((r) => r.score).filter(validNpsScore);
  if (scores.length === 0) return undefined;
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  const exact = ((promoters - detractors) * 100) / scores.length;
  return Math.sign(exact) * Math.round(Math.abs(exact)) || 0;
}

/**
 * At most one survey per customer per `days`, counted from the last send (answered or not). A
 * last-send time that does not parse allows nothing: better one survey too few than a customer
 * surveyed every day because of one bad record.
 */
export function surveyAllowed(lastSurveyAt: string | undefined, now: Date, days = SURVEY_THROTTLE_DAYS): boolean {
  if (lastSurveyAt === undefined) return true;
  const last = Date.parse(lastSurveyAt);
  return !Number.isNaN(last) && now.getTime() - last >= days * DAY_MS;
}

/**
 * After a detractor's answer, no survey until this instant (ISO): an unhappy customer is followed up
 * by a person, not asked again. A survey is due only when `surveyAllowed` and `now` is past this.
 */
export function detractorQuietUntil(at: string, days = SURVEY_THROTTLE_DAYS): string {
  const answered = Date.parse(at);
  if (Number.isNaN(answered)) throw new RangeError(`not a timestamp: ${at}`);
  return new Date(answered + days * DAY_MS).toISOString();
}

export interface ScoreLink {
  score: number;
  url: string;
}

/** The eleven one-click links, 0..10, each opening the confirm page of the public `/nps` route. */
export function surveyLinks(baseUrl: string, token: string): ScoreLink[] {
  const base = `${baseUrl.replace(/\/+$/, '')}/nps?token=${encodeURIComponent(token)}`;
  return Array.from({ length: 11 }, (_, score) => ({ score, url: `${base}&score=${score}` }));
}

/**
 * The scale for the survey email: a table row of eleven score links (tables, inline styles: what
 * mail clients render) with the two end labels under it; and the text part, one `N: url` per line.
 */
export function renderSurveyScale(links: readonly ScoreLink[]): { html: string; text: string } {
  const e = escapeHtml;
  const cell = ({ score, url }: ScoreLink) =>
    `<td style="padding:2px"><a href="${e(url)}" style="display:inline-block;min-width:1.6em;padding:6px 4px;border:1px solid #bbb;border-radius:4px;text-align:center;color:#222;text-decoration:none">${e(String(score))}</a></td>`;
  const half = Math.floor(links.length / 2);
  const html =
    `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse"><tr>${links.map(cell).join('')}</tr>` +
    `<tr><td colspan="${half}" style="font-size:12px;color:#555;text-align:left;padding-top:4px">${e(NPS_SCALE_LABELS.low)}</td>` +
    `<td colspan="${links.length - half}" style="font-size:12px;color:#555;text-align:right;padding-top:4px">${e(NPS_SCALE_LABELS.high)}</td></tr></table>`;
  const text = [`0 = ${NPS_SCALE_LABELS.low}, 10 = ${NPS_SCALE_LABELS.high}`, ...links.map(({ score, url }) => `${score}: ${url}`)].join('\n');
  return { html, text };
}

export interface NpsMonth {
  month: string;
  nps: number;
  responses: number;
}

/** NPS per calendar month (UTC) for the customer page, oldest first; answers with a bad time or score are left out. */
export function npsByMonth(responses: readonly Pick<NpsResponse, 'score' | 'at'>[]): NpsMonth[] {
  const byMonth = new Map<string, { score: number }[]>();
  for (const r of responses) {
    const at = Date.parse(r.at);
    if (Number.isNaN(at) || !validNpsScore(r.score)) continue;
    const month = new Date(at).toISOString().slice(0, 7);
    (byMonth.get(month) ?? byMonth.set(month, []).get(month)!).push(r);
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([month, rs]) => ({ month, nps: npsScore(rs)!, responses: rs.length }));
}
