/**
 * zod for code that Lambdas bundle: `import * as z from '../shared/schema.js'`.
 *
 * These are zod's own schemas from `zod/mini`, which tree-shakes to ~25 KB of a bundle where zod
 * classic (`import { z } from 'zod'`) costs ~440 KB, 258 KB of that the translations of its messages.
 * Same engine, same checks, same issues: only the English messages have to be installed by hand,
 * which this module does, so every answer reads word for word as before.
 *
 * Only named functions are re-exported, and never `z`, `core` or `locales`: referring to any of those
 * namespaces makes the bundler keep every translation (~400 KB). Add a name below when a schema
 * needs one.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export {
  _default,
  array,
  boolean,
  catch,
  coerce,
  email,
  enum,
  gte,
  int,
  iso,
  looseObject,
  lte,
  maxLength,
  minLength,
  nonnegative,
  number,
  object,
  optional,
  pipe,
  positive,
  record,
  refine,
  regex,
  strictObject,
  string,
  superRefine,
  toLowerCase,
  transform,
  trim,
  union,
  unknown,
} from 'zod/mini';
export type { infer } from 'zod/mini';
/** The error every zod schema throws, mini or classic (`instanceof` checks zod's traits, not the class). */
export { $ZodError as ZodError, type $RefinementCtx as RefinementCtx } from 'zod/v4/core';
