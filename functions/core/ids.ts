import { randomBytes } from 'node:crypto';
import type { IdGenerator } from './ports.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** Time-prefixed (sortable) ids with 80 random bits: unguessable, safe in keys and execution names. */
export const randomIds: IdGenerator = {
  next(prefix = '') {
    let time = Date.now();
    let t = '';
    for (let i = 0; i < 10; i++) {
      t = ALPHABET[time % 32] + t;
      time = Math.floor(time / 32);
    }
    const bytes = randomBytes(16);
    let r = '';
    for (let i = 0; i < 16; i++) r += ALPHABET[bytes[i]! % 32];
    return `${prefix}${t}${r}`;
  },
};
