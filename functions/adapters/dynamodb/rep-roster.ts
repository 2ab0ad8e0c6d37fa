/**
 * The funnel's RepRoster is the rep store (rep-store.ts): the round-robin roster, the atomic turn
 * counter and the rep entity are one adapter over the same items. Kept under its old name for the
 * callers that only need the roster.
 */
export { DynamoRepStore as DynamoRepRoster } from './rep-store.js';
