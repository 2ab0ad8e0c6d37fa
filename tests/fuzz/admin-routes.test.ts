import { defineFuzzSuite } from './support/suite.js';

// POST /events, GET /leads/{leadId}, GET /leads?…, and the privacy routes as they land.
defineFuzzSuite('admin');
