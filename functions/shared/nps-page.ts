/**
 * The pages of the public `/nps` route. A score link in the survey email opens the confirm page with
 * that score chosen; only its form's POST records an answer, because mail scanners and link
 * prefetchers follow every link with GET — all eleven of them — and must not answer for anyone.
 * Same look as the other public pages (html.ts); no script, everything from the request escaped.
 */
import { NPS_SCALE_LABELS, validNpsScore } from '../core/nps.js';
import { escapeHtml as e } from '../core/render.js';
import { page } from './html.js';

export const NPS_COMMENT_MAX = 2000;

export interface NpsConfirmPageInput {
  /** The score of the link that was followed; anything but an integer 0–10 leaves the scale unchosen. */
  score?: number;
  token: string;
  question: string;
  postUrl?: string;
}

export function npsConfirmPage({ score, token, question, postUrl = '/nps' }: NpsConfirmPageInput): string {
  const chosen = validNpsScore(score) ? score : undefined;
  const radios = Array.from({ length: 11 }, (_, n) =>
    `<label><input type="radio" name="score" value="${n}" required${n === chosen ? ' checked' : ''}> ${n}</label>`,
  ).join('\n');
  const form =
    `<form method="post" action="${e(postUrl)}">` +
    `<input type="hidden" name="token" value="${e(token)}">` +
    `<fieldset><legend>${e(question)}</legend>\n${radios}\n` +
    `<p><small>0 = ${e(NPS_SCALE_LABELS.low)}, 10 = ${e(NPS_SCALE_LABELS.high)}</small></p></fieldset>` +
    `<p><label for="comment">Anything you would like to tell us? (optional)</label><br>` +
    `<textarea id="comment" name="comment" rows="5" cols="40" maxlength="${NPS_COMMENT_MAX}"></textarea></p>` +
    `<button type="submit">Send my answer</button></form>`;
  return page('Your answer', 'Check your score, add a comment if you like, and press the button to send it.', form);
}

export function npsThanksPage(): string {
  return page('Thank you', 'Your answer is recorded. It helps us do better.');
}

/** Says only that the link does not work: nothing about whose it was or which survey it belonged to. */
export function npsInvalidPage(): string {
  return page('This link is not valid', 'The survey link is invalid or no longer open. No answer was recorded.');
}
