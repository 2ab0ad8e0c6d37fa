/**
 * What counts as plain text: what a person could have typed. Stored values are copied into emails,
 * subjects, logs and keys, so control characters, bidi overrides (Trojan Source) and broken Unicode
 * are refused wherever text enters (the HTTP edge, and cursors handed back to the store).
 */

/** C0 controls (but tab and line breaks, where allowed), DEL, C1 controls, and the bidi embedding/override/isolate controls. */
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Why a string is not plain text, or undefined when it is. */
export function plainTextProblem(value: string, multiline = false): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text (no lone surrogates)';
  if ((multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(value)) return 'must not contain control or bidi-override characters';
  return undefined;
}
