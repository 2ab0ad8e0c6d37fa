/*
 * The Sales Flow dashboard, in the browser. The page (functions/shared/dashboard-page.ts) holds no
 * data: this script asks for the API key once, keeps it for the tab (sessionStorage), reads
 * GET /reports/funnel, /reports/onboarding and /reports/retention with it and draws them with
 * Chart.js (and chartjs-chart-matrix for the cohort heat map), both loaded before it.
 *
 * The report shapes are functions/core/reports/types.ts. Every figure is read defensively: a report
 * missing a section, or a route that answers an error, leaves that panel saying so and the others drawn.
 * A refused key (401/403 on any report) forgets it and asks again.
 */
(() => {
  'use strict';

  const KEY_STORE = 'salesflow.dashboard.apiKey';
  const STAGES = ['awareness', 'interest', 'consideration', 'decision', 'purchase'];
  const REPORTS = {
    funnel: { path: 'reports/funnel', title: 'funnel report' },
    onboarding: { path: 'reports/onboarding', title: 'onboarding report' },
    retention: { path: 'reports/retention', title: 'retention report' },
  };
  const DAY_MS = 86_400_000;
  const MAX_RANGE_DAYS = 400;

  /** Colour-blind-safe hues with at least 3:1 contrast on white (for marks, not text). */
  const C = {
    blue: '#1d4ed8',
    sky: '#0284c7',
    teal: '#0f766e',
    green: '#15803d',
    amber: '#b45309',
    red: '#b91c1c',
    violet: '#6d28d9',
    slate: '#64748b',
    light: '#cbd5e1',
  };
  const BAND_COLOURS = { healthy: C.green, watch: C.amber, 'at-risk': C.red, unscored: C.slate };
  const STATUS_COLOURS = { onboarding: C.sky, active: C.green, lapsed: C.amber, inactive: C.slate };

  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const charts = new Map(); // panel id → Chart[]
  let lastFunnel = null;

  /* ───────────── the key ───────────── */

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_STORE);
    } catch {
      return null;
    }
  }
  function storeKey(key) {
    try {
      sessionStorage.setItem(KEY_STORE, key);
    } catch {
      /* private mode without storage: the key lives as long as the page */
    }
    memoryKey = key;
  }
  function forgetKey() {
    try {
      sessionStorage.removeItem(KEY_STORE);
    } catch {
      /* nothing stored */
    }
    memoryKey = null;
  }
  let memoryKey = storedKey();

  function askForKey(problem) {
    destroyAllCharts();
    $('dashboard').hidden = true;
    $('refresh').hidden = true;
    $('forget').hidden = true;
    setStatus('');
    $('key-panel').hidden = false;
    const error = $('key-error');
    error.textContent = problem ?? '';
    error.hidden = !problem;
    const input = /** @type {HTMLInputElement} */ ($('api-key'));
    input.value = '';
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    input.focus();
  }

  function showDashboard() {
    $('key-panel').hidden = true;
    $('dashboard').hidden = false;
    $('refresh').hidden = false;
    $('forget').hidden = false;
  }

  /* ───────────── reading the reports ───────────── */

  class KeyRefused extends Error {}

  async function fetchReport(name, params) {
    const url = new URL(REPORTS[name].path, document.baseURI);
    for (const [k, v] of Object.entries(params ?? {})) if (v) url.searchParams.set(k, v);
    let res;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${memoryKey}`, accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new Error(`The ${REPORTS[name].title} could not be reached. Check the connection and refresh.`);
    }
    if (res.status === 401 || res.status === 403) throw new KeyRefused();
    const text = await res.text();
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const why = body && typeof body.message === 'string' ? body.message : res.statusText || 'no reason given';
      const hint = res.status === 404 ? ' (this deployment does not serve it yet)' : res.status >= 500 ? ' Try again shortly.' : '';
      throw new Error(`The ${REPORTS[name].title} answered ${res.status}: ${why}${hint}`);
    }
    if (!body || typeof body !== 'object') throw new Error(`The ${REPORTS[name].title} did not answer JSON.`);
    return body;
  }

  function funnelParams() {
    const v = (id) => /** @type {HTMLInputElement} */ ($(id)).value.trim();
    return { from: v('filter-from'), to: v('filter-to'), source: v('filter-source'), utm_campaign: v('filter-campaign') };
  }

  /**
   * A problem with the range the browser can tell before asking (the route says the same with a 400).
   * No dates at all is no problem: the route's default range, on the server's clock (which, on a local
   * stack running compressed time, is not the browser's).
   */
  function rangeProblem({ from, to }) {
    if (!from && !to) return undefined;
    if (!from || !to) return 'Choose both a start and an end date, or neither for the default range.';
    if (from > to) return 'The start date is after the end date.';
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    if (days > MAX_RANGE_DAYS) return `The range is ${days} days; reports cover at most ${MAX_RANGE_DAYS}.`;
    return undefined;
  }

  async function load(names) {
    if (!memoryKey) return askForKey();
    showDashboard();
    const params = funnelParams();
    const problem = rangeProblem(params);
    const filterProblem = $('filter-problem');
    filterProblem.textContent = problem ?? '';
    filterProblem.hidden = !problem;
    const wanted = names.filter((n) => !(n === 'funnel' && problem));
    for (const name of wanted) for (const p of panelsOf(name)) setBusy(p, true);
    setStatus('Loading…');
    const results = await Promise.allSettled(wanted.map((n) => fetchReport(n, n === 'funnel' ? params : undefined)));
    if (results.some((r) => r.status === 'rejected' && r.reason instanceof KeyRefused)) {
      forgetKey();
      return askForKey('That API key was not accepted. Enter it again.');
    }
    results.forEach((r, i) => {
      const name = wanted[i];
      if (r.status === 'fulfilled') renderReport(name, r.value);
      else for (const p of panelsOf(name)) showProblem(p, r.reason.message);
    });
    const failed = results.filter((r) => r.status === 'rejected').length;
    setStatus(failed ? `Updated ${clock()} — ${failed} of ${wanted.length} reports unavailable` : `Updated ${clock()}`);
  }

  /* ───────────── panels ───────────── */

  const panelsOf = (report) => /** @type {HTMLElement[]} */ ([...document.querySelectorAll(`.panel[data-report="${report}"]`)]);
  const bodyOf = (panelId) => /** @type {HTMLElement} */ ($(`panel-${panelId}`).querySelector('.body'));

  function setBusy(panel, busy) {
    panel.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  function clearPanel(panelId) {
    for (const chart of charts.get(panelId) ?? []) chart.destroy();
    charts.delete(panelId);
    const body = bodyOf(panelId);
    body.replaceChildren();
    return body;
  }

  function destroyAllCharts() {
    for (const id of [...charts.keys()]) clearPanel(id);
  }

  function showProblem(panel, message) {
    const id = panel.id.replace(/^panel-/, '');
    const body = clearPanel(id);
    body.append(el('p', { className: 'error', role: 'alert' }, message));
    setBusy(panel, false);
    panel.dataset.state = 'error';
  }

  function showEmpty(panelId, message) {
    clearPanel(panelId).append(el('p', { className: 'empty' }, message));
    $(`panel-${panelId}`).dataset.state = 'empty';
  }

  /** Draws one panel; a report that does not have the shape expected says so in that panel only. */
  function draw(panelId, render) {
    const panel = $(`panel-${panelId}`);
    try {
      clearPanel(panelId);
      delete panel.dataset.state;
      render(bodyOf(panelId));
      panel.dataset.state ??= 'drawn';
    } catch (err) {
      console.error(`[dashboard] ${panelId}:`, err);
      showProblem(panel, 'This panel could not be drawn from the report it got.');
    } finally {
      setBusy(panel, false);
    }
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props ?? {})) {
      if (k === 'className') node.className = v;
      else if (k === 'role' || k.startsWith('aria-') || k.startsWith('data-')) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children) if (c !== undefined && c !== null) node.append(c);
    return node;
  }

  /** A chart in its own box, described for screen readers; the same figures follow as a table. */
  function addChart(panelId, body, config, description, size = '') {
    const canvas = el('canvas', { role: 'img', 'aria-label': description });
    canvas.append(description); // fallback content
    body.append(el('div', { className: `chart ${size}`.trim() }, canvas));
    const chart = new Chart(canvas, config);
    charts.set(panelId, [...(charts.get(panelId) ?? []), chart]);
    $(`panel-${panelId}`).dataset.state = 'drawn';
    return chart;
  }

  function table(columns, rows, caption) {
    const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', className: c.num ? 'num' : '' }, c.label)));
    const body = rows.map((r) => el('tr', {}, ...columns.map((c, i) => el('td', { className: c.num ? 'num' : '' }, r[i] ?? '–'))));
    const t = el('table', {}, caption ? el('caption', { className: 'visually-hidden' }, caption) : null, el('thead', {}, head), el('tbody', {}, ...body));
    return el('div', { className: 'table-wrap' }, t);
  }

  const asTable = (summary, columns, rows) => el('details', {}, el('summary', {}, summary), table(columns, rows, summary));

  function setKpis(groupId, items) {
    const list = $(`${groupId}-kpis`);
    list.replaceChildren(
      ...items.map(([label, value]) => el('li', { className: 'kpi' }, el('span', { className: 'value' }, value), el('span', { className: 'label' }, label))),
    );
  }

  function setStatus(text) {
    $('status').textContent = text;
  }

  /* ───────────── numbers ───────────── */

  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const arr = (v) => (Array.isArray(v) ? v : []);
  const int = (v) => (num(v) === null ? '–' : Math.round(v).toLocaleString());
  const pct = (v) => (num(v) === null ? '–' : `${(v * 100).toFixed(v >= 0.995 || v === 0 ? 0 : 1)} %`);
  const pctValue = (v) => (num(v) === null ? null : Math.round(v * 1000) / 10);
  const days = (v) => (num(v) === null ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)} d`);
  const hoursAsDays = (h) => (num(h) === null ? null : Math.round((h / 24) * 10) / 10);
  const hours = (h) => (num(h) === null ? '–' : h < 48 ? `${h < 10 ? h.toFixed(1) : Math.round(h)} h` : days(h / 24));
  const clock = () => new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  /** A bar colour by how good a share is (SLA met, pass rate). */
  const shareColour = (v) => (num(v) === null ? C.light : v >= 0.9 ? C.green : v >= 0.7 ? C.amber : C.red);
  const shareBadge = (v) => el('span', { className: `badge ${num(v) === null ? 'none' : v >= 0.9 ? 'good' : v >= 0.7 ? 'fair' : 'poor'}` }, pct(v));

  /* ───────────── Chart.js defaults ───────────── */

  function configureCharts() {
    Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
    Chart.defaults.font.size = 13;
    Chart.defaults.color = '#334155';
    Chart.defaults.borderColor = '#e2e8f0';
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 12;
    Chart.defaults.plugins.tooltip.padding = 10;
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) Chart.defaults.animation = false;
  }

  /* ───────────── funnel ───────────── */

  function renderReport(name, report) {
    if (name === 'funnel') return renderFunnel(report);
    if (name === 'onboarding') return renderOnboarding(report);
    return renderRetention(report);
  }

  function renderFunnel(r) {
    lastFunnel = r;
    // Asked without dates (the first load), the dates then show the route's default range.
    const from = /** @type {HTMLInputElement} */ ($('filter-from'));
    const to = /** @type {HTMLInputElement} */ ($('filter-to'));
    if (!from.value && !to.value && typeof r.range?.from === 'string' && typeof r.range?.to === 'string') {
      from.value = r.range.from;
      to.value = r.range.to;
    }
    const stages = arr(r.stages);
    const won = num(r.velocity?.won);
    setKpis('funnel', [
      ['Leads captured', int(r.captured)],
      ['Won', int(won)],
      ['Capture → won', pct(num(r.captured) ? (won ?? 0) / r.captured : null)],
      ['Median days to win', days(num(r.velocity?.medianDays))],
    ]);
    rememberKeys('known-sources', arr(r.bySource));
    rememberKeys('known-campaigns', arr(r.byCampaign));

    draw('funnel', (body) => {
      if (!stages.length || stages.every((s) => !num(s.entered))) return showEmpty('funnel', 'No lead entered the funnel in this range.');
      addChart(
        'funnel',
        body,
        {
          type: 'bar',
          data: {
            labels: stages.map((s) => s.stage),
            datasets: [
              { type: 'bar', label: 'Entered', data: stages.map((s) => num(s.entered)), backgroundColor: C.blue, borderRadius: 6, yAxisID: 'y', order: 2 },
              { type: 'bar', label: 'In the stage now', data: stages.map((s) => num(s.currentlyIn)), backgroundColor: C.light, borderRadius: 6, yAxisID: 'y', order: 3 },
              {
                type: 'line',
                label: 'Cumulative conversion',
                data: stages.map((s) => pctValue(s.cumulativeConversion)),
                borderColor: C.amber,
                backgroundColor: C.amber,
                yAxisID: 'share',
                // Straight segments: a curve would suggest shares between the stages that do not exist.
                tension: 0,
                order: 1,
              },
            ],
          },
          options: {
            interaction: { mode: 'index', intersect: false },
            scales: {
              y: { beginAtZero: true, title: { display: true, text: 'leads' }, ticks: { precision: 0 } },
              share: { axis: 'y', position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: '% of captured' } },
            },
            plugins: {
              tooltip: {
                callbacks: {
                  afterBody: (items) => {
                    const s = stages[items[0]?.dataIndex ?? -1];
                    if (!s) return '';
                    return [
                      `From previous stage: ${pct(s.conversionFromPrevious)}`,
                      `Moved on ${int(s.movedOn)} · recycled ${int(s.recycled)} · dormant ${int(s.dormant)} · lost ${int(s.lost)}`,
                    ];
                  },
                },
              },
            },
          },
        },
        `Funnel: ${stages.map((s) => `${s.stage} ${int(s.entered)} entered (${pct(s.cumulativeConversion)} of captured)`).join(', ')}.`,
        'tall',
      );
      body.append(
        asTable(
          'Stages as a table',
          [{ label: 'Stage' }, { label: 'Entered', num: true }, { label: 'Now in', num: true }, { label: 'Moved on', num: true }, { label: 'Recycled', num: true }, { label: 'Dormant', num: true }, { label: 'Lost', num: true }, { label: 'From previous', num: true }, { label: 'Of captured', num: true }],
          stages.map((s) => [s.stage, int(s.entered), int(s.currentlyIn), int(s.movedOn), int(s.recycled), int(s.dormant), int(s.lost), pct(s.conversionFromPrevious), pct(s.cumulativeConversion)]),
        ),
      );
    });

    draw('time-in-stage', (body) => {
      const timed = stages.filter((s) => num(s.timeInStage?.samples));
      if (!timed.length) return showEmpty('time-in-stage', 'No completed stay in a stage in this range yet.');
      // Days, unless every stay is short enough to read better in hours.
      const inHours = Math.max(...timed.map((s) => num(s.timeInStage.p90Hours) ?? num(s.timeInStage.medianHours) ?? 0)) < 48;
      const value = (h) => (num(h) === null ? null : inHours ? Math.round(h * 10) / 10 : hoursAsDays(h));
      addChart(
        'time-in-stage',
        body,
        {
          type: 'bar',
          data: {
            labels: timed.map((s) => s.stage),
            datasets: [
              { label: 'Median', data: timed.map((s) => value(s.timeInStage.medianHours)), backgroundColor: C.teal, borderRadius: 6 },
              { label: '90th percentile', data: timed.map((s) => value(s.timeInStage.p90Hours)), backgroundColor: C.light, borderRadius: 6 },
            ],
          },
          options: {
            scales: { y: { beginAtZero: true, title: { display: true, text: inHours ? 'hours' : 'days' } } },
            plugins: { tooltip: { callbacks: { footer: (items) => `${int(timed[items[0]?.dataIndex ?? 0]?.timeInStage.samples)} stays` } } },
          },
        },
        `Time in stage: ${timed.map((s) => `${s.stage} median ${hours(s.timeInStage.medianHours)}, p90 ${hours(s.timeInStage.p90Hours)}`).join('; ')}.`,
      );
      body.append(
        asTable(
          'Time in stage as a table',
          [{ label: 'Stage' }, { label: 'Median', num: true }, { label: '90th percentile', num: true }, { label: 'Stays', num: true }],
          timed.map((s) => [s.stage, hours(s.timeInStage.medianHours), hours(s.timeInStage.p90Hours), int(s.timeInStage.samples)]),
        ),
      );
    });

    draw('reps', (body) => {
      const reps = arr(r.reps)
        .slice()
        .sort((a, b) => (num(b.won) ?? 0) - (num(a.won) ?? 0) || (num(b.assigned) ?? 0) - (num(a.assigned) ?? 0));
      if (!reps.length) return showEmpty('reps', 'No lead was assigned to a rep in this range.');
      const top = reps.slice(0, 10);
      const name = (rep) => rep.name || rep.repId;
      addChart(
        'reps',
        body,
        {
          type: 'bar',
          data: {
            labels: top.map(name),
            datasets: [
              { label: 'Assigned', data: top.map((x) => num(x.assigned)), backgroundColor: C.light, borderRadius: 4 },
              { label: 'Won', data: top.map((x) => num(x.won)), backgroundColor: C.violet, borderRadius: 4 },
            ],
          },
          options: {
            indexAxis: 'y',
            scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
            plugins: { tooltip: { callbacks: { footer: (items) => `SLA met ${pct(top[items[0]?.dataIndex ?? 0]?.slaMetPct)}` } } },
          },
        },
        `Reps by deals won: ${top.map((x) => `${name(x)} ${int(x.won)} won of ${int(x.assigned)} assigned, SLA met ${pct(x.slaMetPct)}`).join('; ')}.`,
        top.length > 6 ? 'tall' : '',
      );
      body.append(
        table(
          [{ label: 'Rep' }, { label: 'Assigned', num: true }, { label: 'SLA met', num: true }, { label: 'First contact', num: true }, { label: 'Won', num: true }, { label: 'Win rate', num: true }],
          reps.map((x) => [name(x), int(x.assigned), shareBadge(x.slaMetPct), hours(x.medianHoursToFirstContact), int(x.won), pct(x.winRate)]),
          'Rep leaderboard',
        ),
      );
    });

    drawCohorts();
  }

  function rememberKeys(listId, rows) {
    const list = $(listId);
    const known = new Set([...list.querySelectorAll('option')].map((o) => o.value));
    for (const row of rows) if (typeof row.key === 'string' && row.key !== '(none)' && !known.has(row.key)) list.append(el('option', { value: row.key }));
  }

  /** Share of a cohort's leads that reached the chosen stage (or won), by week since capture. */
  function drawCohorts() {
    const r = lastFunnel;
    if (!r) return;
    const stage = /** @type {HTMLSelectElement} */ ($('cohort-stage')).value;
    draw('cohorts', (body) => {
      const cohorts = arr(r.cohorts).filter((c) => num(c.captured));
      if (!cohorts.length) return showEmpty('cohorts', 'No leads were captured in this range.');
      const weeks = Math.max(1, ...cohorts.map((c) => num(c.weeks) ?? arr(c.reached?.[stage]).length));
      const xLabels = Array.from({ length: weeks }, (_, i) => `week ${i}`);
      const yLabels = cohorts.map((c) => c.week);
      const cells = cohorts.flatMap((c) =>
        arr(c.reached?.[stage])
          .slice(0, weeks)
          .map((v, i) => ({ x: xLabels[i], y: c.week, v: num(v), captured: c.captured }))
          .filter((cell) => cell.v !== null),
      );
      const colour = (v) => `rgba(29, 78, 216, ${0.08 + 0.92 * Math.min(1, Math.max(0, v))})`;
      addChart(
        'cohorts',
        body,
        {
          type: 'matrix',
          data: {
            datasets: [
              {
                label: `Share reaching ${stage}`,
                data: cells,
                backgroundColor: (ctx) => colour(ctx.raw?.v ?? 0),
                borderColor: '#ffffff',
                borderWidth: 1,
                width: ({ chart }) => (chart.chartArea || {}).width / xLabels.length - 1,
                height: ({ chart }) => (chart.chartArea || {}).height / yLabels.length - 1,
              },
            ],
          },
          options: {
            scales: {
              x: { type: 'category', labels: xLabels, offset: true, grid: { display: false }, title: { display: true, text: 'weeks since capture' } },
              y: { type: 'category', labels: yLabels, offset: true, grid: { display: false }, title: { display: true, text: 'capture week' } },
            },
            plugins: {
              legend: { display: false },
              tooltip: {
                callbacks: {
                  title: (items) => `Week of ${items[0]?.raw?.y}`,
                  label: (item) => `${item.raw.x}: ${pct(item.raw.v)} of ${int(item.raw.captured)} reached ${stage}`,
                },
              },
            },
          },
        },
        `Cohort heat map: share of each capture week's leads that reached ${stage}, for ${cohorts.length} weeks of captures.`,
        cohorts.length > 8 ? 'tall' : '',
      );
      body.append(
        asTable(
          'Cohorts as a table',
          [{ label: 'Capture week' }, { label: 'Captured', num: true }, ...xLabels.map((l) => ({ label: l, num: true }))],
          cohorts.map((c) => [c.week, int(c.captured), ...xLabels.map((_, i) => pct(arr(c.reached?.[stage])[i]))]),
        ),
      );
    });
  }

  /* ───────────── onboarding ───────────── */

  function renderOnboarding(r) {
    const reps = r.reps ?? {};
    const statuses = Object.keys(STATUS_COLOURS);
    setKpis('onboarding', [
      ['Reps', int(reps.total)],
      ['Onboarding now', int(reps.onboarding)],
      ['Modules overdue', int(r.modulesOverdueNow)],
      ['Days to first lead', days(num(r.ramp?.toFirstLead?.medianDays))],
      ['Days to first win', days(num(r.ramp?.toFirstWon?.medianDays))],
    ]);

    draw('onboarding', (body) => {
      if (!num(reps.total)) return showEmpty('onboarding', 'No reps yet: create one with POST /reps.');
      addChart(
        'onboarding',
        body,
        {
          type: 'doughnut',
          data: {
            labels: statuses.map((s) => (s === 'active' ? 'certified (active)' : s)),
            datasets: [{ data: statuses.map((s) => num(reps[s]) ?? 0), backgroundColor: statuses.map((s) => STATUS_COLOURS[s]), borderColor: '#ffffff', borderWidth: 2 }],
          },
          options: { cutout: '60%', plugins: { legend: { position: 'right' } } },
        },
        `Reps by status: ${statuses.map((s) => `${s} ${int(reps[s])}`).join(', ')}.`,
        'short',
      );
      const roles = arr(r.byRole);
      if (roles.length) {
        body.append(
          table(
            [{ label: 'Role' }, { label: 'Certified', num: true }, { label: 'Median days to certification', num: true }, { label: '90th percentile', num: true }],
            roles.map((x) => [x.role, int(x.certified), days(num(x.medianDaysToCertification)), days(num(x.p90DaysToCertification))]),
            'Certification by role',
          ),
        );
      }
      const expiring = arr(r.expiringCertifications);
      body.append(
        el('h4', { className: 'hint' }, 'Certifications expiring in the next 60 days'),
        expiring.length
          ? el('ul', { className: 'list' }, ...expiring.slice(0, 8).map((c) => el('li', {}, el('span', {}, c.name || c.repId), el('span', { className: 'muted' }, `${int(c.daysLeft)} days (${String(c.expiresAt).slice(0, 10)})`))))
          : el('p', { className: 'hint' }, 'None.'),
      );
    });

    draw('modules', (body) => {
      const modules = arr(r.modules).filter((m) => num(m.attempts));
      if (!modules.length) return showEmpty('modules', 'No quiz attempt recorded yet.');
      addChart(
        'modules',
        body,
        {
          type: 'bar',
          data: {
            labels: modules.map((m) => m.moduleId),
            datasets: [
              { label: 'Pass rate', data: modules.map((m) => pctValue(m.passRate)), backgroundColor: modules.map((m) => shareColour(m.passRate)), borderRadius: 4 },
              { label: 'First-attempt pass rate', data: modules.map((m) => pctValue(m.firstAttemptPassRate)), backgroundColor: C.light, borderRadius: 4 },
            ],
          },
          options: {
            indexAxis: 'y',
            scales: { x: { min: 0, max: 100, title: { display: true, text: '%' } } },
            plugins: { tooltip: { callbacks: { footer: (items) => { const m = modules[items[0]?.dataIndex ?? 0]; return `${int(m?.attempts)} attempts · ${int(m?.overdueNow)} overdue now`; } } } },
          },
        },
        `Quiz pass rates: ${modules.map((m) => `${m.moduleId} ${pct(m.passRate)} (first attempt ${pct(m.firstAttemptPassRate)})`).join('; ')}.`,
        modules.length > 6 ? 'tall' : '',
      );
      body.append(
        asTable(
          'Modules as a table',
          [{ label: 'Module' }, { label: 'Attempts', num: true }, { label: 'Pass rate', num: true }, { label: 'First attempt', num: true }, { label: 'Overdue now', num: true }],
          modules.map((m) => [m.moduleId, int(m.attempts), pct(m.passRate), pct(m.firstAttemptPassRate), int(m.overdueNow)]),
        ),
      );
    });
  }

  /* ───────────── retention ───────────── */

  function renderRetention(r) {
    const nps = r.nps ?? {};
    const health = r.health ?? {};
    const renewals = arr(r.renewalsDue);
    setKpis('retention', [
      ['NPS', num(nps.score) === null ? '–' : String(Math.round(nps.score))],
      ['Survey answers', int(nps.responses)],
      ['Active customers', int(r.customers?.active)],
      ['At risk', int(health['at-risk'])],
      ['Renewals in 90 days', int(renewals.length)],
      ['Referral conversion', pct(r.referrals?.conversionRate)],
    ]);

    draw('nps', (body) => {
      const trend = arr(r.nps?.trend);
      if (!trend.length) return showEmpty('nps', 'No survey answers yet.');
      addChart(
        'nps',
        body,
        {
          type: 'bar',
          data: {
            labels: trend.map((m) => m.month),
            datasets: [
              { type: 'line', label: 'NPS', data: trend.map((m) => num(m.nps)), borderColor: C.blue, backgroundColor: C.blue, tension: 0.25, yAxisID: 'nps', order: 1 },
              { type: 'bar', label: 'Answers', data: trend.map((m) => num(m.responses)), backgroundColor: C.light, borderRadius: 4, yAxisID: 'answers', order: 2 },
            ],
          },
          options: {
            interaction: { mode: 'index', intersect: false },
            scales: {
              nps: { axis: 'y', position: 'left', min: -100, max: 100, title: { display: true, text: 'NPS' } },
              answers: { axis: 'y', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: 'answers' } },
            },
          },
        },
        `NPS by month: ${trend.map((m) => `${m.month} ${int(m.nps)} from ${int(m.responses)} answers`).join('; ')}.`,
      );
      body.append(
        el('p', { className: 'hint' }, `Overall ${num(nps.score) === null ? '–' : Math.round(nps.score)}: ${int(nps.promoters)} promoters, ${int(nps.passives)} passives, ${int(nps.detractors)} detractors.`),
      );
    });

    draw('health', (body) => {
      const bands = Object.keys(BAND_COLOURS);
      const total = bands.reduce((sum, b) => sum + (num(health[b]) ?? 0), 0);
      if (!total) return showEmpty('health', 'No active customers yet.');
      addChart(
        'health',
        body,
        {
          type: 'doughnut',
          data: {
            labels: bands,
            datasets: [{ data: bands.map((b) => num(health[b]) ?? 0), backgroundColor: bands.map((b) => BAND_COLOURS[b]), borderColor: '#ffffff', borderWidth: 2 }],
          },
          options: { cutout: '60%', plugins: { legend: { position: 'right' } } },
        },
        `Active customers by health: ${bands.map((b) => `${b} ${int(health[b])}`).join(', ')}.`,
        'short',
      );
      const atRisk = arr(r.atRisk);
      body.append(
        el('h4', { className: 'hint' }, 'At risk now'),
        atRisk.length
          ? el('ul', { className: 'list' }, ...atRisk.slice(0, 6).map((c) => el('li', {}, el('span', {}, `${c.company || c.customerId} (${int(c.healthScore)})`), el('span', { className: 'muted' }, arr(c.reasons).slice(0, 2).join('; ')))))
          : el('p', { className: 'hint' }, 'Nobody.'),
      );
    });

    draw('renewals', (body) => {
      if (!renewals.length) return showEmpty('renewals', 'No renewal is due in the next 90 days.');
      const buckets = ['0–30 days', '31–60 days', '61–90 days'];
      const bucketOf = (d) => (d <= 30 ? 0 : d <= 60 ? 1 : 2);
      const bands = Object.keys(BAND_COLOURS);
      const counts = bands.map(() => buckets.map(() => 0));
      for (const rn of renewals) {
        const band = bands.includes(rn.healthBand) ? rn.healthBand : 'unscored';
        counts[bands.indexOf(band)][bucketOf(num(rn.daysLeft) ?? 0)]++;
      }
      addChart(
        'renewals',
        body,
        {
          type: 'bar',
          data: { labels: buckets, datasets: bands.map((b, i) => ({ label: b, data: counts[i], backgroundColor: BAND_COLOURS[b], borderRadius: 4 })) },
          options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'customers' } } } },
        },
        `Renewals due: ${buckets.map((b, j) => `${b} ${bands.reduce((s, _, i) => s + counts[i][j], 0)}`).join(', ')}.`,
        'short',
      );
      body.append(
        table(
          [{ label: 'Customer' }, { label: 'Renewal date' }, { label: 'Days left', num: true }, { label: 'Health' }],
          renewals.slice(0, 10).map((rn) => [rn.company || rn.customerId, String(rn.renewalDate ?? '–'), int(rn.daysLeft), rn.healthBand ?? '–']),
          'Soonest renewals',
        ),
      );
    });
  }

  /* ───────────── wiring ───────────── */

  function start() {
    if (typeof Chart === 'undefined') {
      $('key-panel').hidden = false;
      $('key-error').textContent = 'The chart library did not load; reload the page.';
      $('key-error').hidden = false;
      return;
    }
    configureCharts();

    $('key-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = /** @type {HTMLInputElement} */ ($('api-key'));
      const key = input.value.trim();
      if (!key) return askForKey('Enter the API key to see the reports.');
      storeKey(key);
      input.value = '';
      void load(Object.keys(REPORTS));
    });
    $('funnel-filters').addEventListener('submit', (e) => {
      e.preventDefault();
      void load(['funnel']);
    });
    $('cohort-stage').addEventListener('change', drawCohorts);
    $('refresh').addEventListener('click', () => void load(Object.keys(REPORTS)));
    $('forget').addEventListener('click', () => {
      forgetKey();
      askForKey();
    });

    if (memoryKey) void load(Object.keys(REPORTS));
    else askForKey();
  }

  start();
})();
