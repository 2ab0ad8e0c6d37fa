/**
 * The dashboard page (GET /dashboard): markup only, no data. The API key is asked for in the browser
 * and the reports are read with it from there (functions/web/dashboard.js), so the page itself is
 * public and the same for everyone. Its scripts and style sheet come from this API's own origin
 * (functions/shared/dashboard-assets.ts), and the security policy allows nothing else: no inline
 * script or style, no other origin, no framing, no form posts (the key never leaves in a URL).
 */
import { DASHBOARD_ASSETS } from './dashboard-assets.js';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every dashboard answer carries; the page adds its policy, the assets their cache lifetime. */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

export const PAGE_HEADERS: Record<string, string> = {
  ...SECURITY_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': DASHBOARD_CSP,
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  // The page names the current assets' hashes: always asked for again, never served stale.
  'cache-control': 'no-cache',
};

/** Hashed names never change content, so a year and `immutable`. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

interface PanelSpec {
  id: string;
  report: 'funnel' | 'onboarding' | 'retention';
  title: string;
  hint: string;
  wide?: boolean;
  /** Controls in the panel's head (markup without data). */
  controls?: string;
}

const STAGE_OPTIONS = ['awareness', 'interest', 'consideration', 'decision', 'purchase', 'won']
  .map((s) => `<option value="${s}"${s === 'won' ? ' selected' : ''}>${s === 'won' ? 'won' : s}</option>`)
  .join('');

const GROUPS: Array<{ id: string; title: string; intro: string; panels: PanelSpec[]; filters?: string }> = [
  {
    id: 'funnel',
    title: 'Funnel',
    intro: 'Where leads come from, where they drop out, and how fast they move.',
    filters: `<form id="funnel-filters" class="filters" aria-label="Funnel filters" novalidate>
  <div class="field"><label for="filter-from">From</label><input id="filter-from" type="date"></div>
  <div class="field"><label for="filter-to">To</label><input id="filter-to" type="date"></div>
  <div class="field"><label for="filter-source">Source</label><input id="filter-source" type="text" list="known-sources" placeholder="All sources" autocomplete="off" spellcheck="false"></div>
  <div class="field"><label for="filter-campaign">Campaign</label><input id="filter-campaign" type="text" list="known-campaigns" placeholder="All campaigns" autocomplete="off" spellcheck="false"></div>
  <datalist id="known-sources"></datalist><datalist id="known-campaigns"></datalist>
  <button type="submit">Apply</button>
  <p id="filter-problem" class="error problem" role="alert" hidden></p>
</form>`,
    panels: [
      { id: 'funnel', report: 'funnel', title: 'Funnel and conversion', hint: 'Leads entering each stage in the range; the line is the share of captured leads that got this far.', wide: true },
      { id: 'time-in-stage', report: 'funnel', title: 'Time in stage', hint: 'Median and 90th percentile of the stays completed in the range.' },
      { id: 'reps', report: 'funnel', title: 'Rep leaderboard and SLA', hint: 'Leads assigned and won per rep; SLA met is first contact within the contact SLA.' },
      {
        id: 'cohorts',
        report: 'funnel',
        title: 'Cohorts by capture week',
        hint: 'Share of each week’s leads that reached the stage, by weeks since capture.',
        wide: true,
        controls: `<div class="field"><label for="cohort-stage">Stage reached</label> <select id="cohort-stage">${STAGE_OPTIONS}</select></div>`,
      },
    ],
  },
  {
    id: 'onboarding',
    title: 'Onboarding',
    intro: 'How new reps ramp up to certification and their first deals.',
    panels: [
      { id: 'onboarding', report: 'onboarding', title: 'Onboarding progress', hint: 'Reps by status now, time to certification and ramp.' },
      { id: 'modules', report: 'onboarding', title: 'Quiz pass rates', hint: 'Per module: all attempts and first attempts; overdue modules now.' },
    ],
  },
  {
    id: 'retention',
    title: 'Retention',
    intro: 'How customers feel, who is at risk, and what renews next.',
    panels: [
      { id: 'nps', report: 'retention', title: 'NPS trend', hint: 'Net promoter score by month of the answer (−100 to 100), and answers received.' },
      { id: 'health', report: 'retention', title: 'Health distribution', hint: 'Active customers by health band now, and those at risk.' },
      { id: 'renewals', report: 'retention', title: 'Renewals in the next 90 days', hint: 'By how soon they are due, coloured by health.', wide: true },
    ],
  },
];

function panel(p: PanelSpec): string {
  return `<article class="panel${p.wide ? ' wide' : ''}" id="panel-${p.id}" data-report="${p.report}" aria-labelledby="panel-${p.id}-title">
  <div class="panel-head"><h3 id="panel-${p.id}-title">${p.title}</h3>${p.controls ?? ''}</div>
  <p class="hint">${p.hint}</p>
  <div class="body" aria-live="polite"><p class="waiting">Waiting for the report…</p></div>
</article>`;
}

function group(g: (typeof GROUPS)[number]): string {
  return `<section class="group" id="group-${g.id}" aria-labelledby="group-${g.id}-title">
<div class="group-head"><div><h2 id="group-${g.id}-title">${g.title}</h2><p class="hint">${g.intro}</p></div>${g.filters ?? ''}</div>
<ul class="kpis" id="${g.id}-kpis" aria-label="${g.title} figures"></ul>
<div class="grid">
${g.panels.map(panel).join('\n')}
</div>
</section>`;
}

/** Relative URLs throughout: the page works wherever the API is mounted (a custom domain's base path). */
export const dashboardPage = (): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sales Flow — dashboard</title>
<link rel="icon" href="dashboard/${DASHBOARD_ASSETS.icon.name}" type="image/svg+xml">
<link rel="stylesheet" href="dashboard/${DASHBOARD_ASSETS.style.name}">
<script src="dashboard/${DASHBOARD_ASSETS.chart.name}" defer></script>
<script src="dashboard/${DASHBOARD_ASSETS.matrix.name}" defer></script>
<script src="dashboard/${DASHBOARD_ASSETS.script.name}" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to the reports</a>
<header class="top">
  <div><h1>Sales Flow dashboard</h1><p class="subtitle">Funnel, onboarding and retention, from the live reports</p></div>
  <div class="actions">
    <p id="status" class="status" role="status" aria-live="polite"></p>
    <button id="refresh" type="button" class="secondary" hidden>Refresh</button>
    <button id="forget" type="button" class="secondary" hidden>Forget the key</button>
  </div>
</header>
<main id="main" tabindex="-1">
<noscript><p class="error">The dashboard needs JavaScript to read the reports.</p></noscript>
<section id="key-panel" class="key-card" aria-labelledby="key-title" hidden>
  <h2 id="key-title">Enter the API key</h2>
  <p>The dashboard reads the reports with the API key (the one <code>npm start</code> prints, or your deployment’s). It is kept for this browser tab only.</p>
  <form id="key-form" novalidate>
    <label for="api-key">API key</label>
    <input id="api-key" type="password" autocomplete="off" spellcheck="false" required aria-describedby="key-error">
    <p id="key-error" class="error" role="alert" hidden></p>
    <button type="submit">Show the dashboard</button>
  </form>
</section>
<div id="dashboard" hidden>
${GROUPS.map(group).join('\n')}
</div>
</main>
</body>
</html>
`;
