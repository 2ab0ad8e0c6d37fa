import { defineFuzzSuite } from './support/suite.js';

// POST /leads (JSON and form, anonymous and with the key), GET|POST /unsubscribe, consent confirmation.
defineFuzzSuite('public');
