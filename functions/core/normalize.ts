/** A lead's identity is its email, trimmed and lower-cased, so "Ann@X.com " and "ann@x.com" are one lead. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** Customer ids are derived from the lead id, so a retried purchase can never make two customers. */
export const customerIdFor = (leadId: string): string => `cus-${leadId}`;
