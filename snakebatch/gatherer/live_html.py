"""Markup and the few lines of script behind the live pages (no framework, no build step).

The grid listens to Server-Sent Events and falls back to polling the JSON snapshot if
the stream breaks; the concurrency panel polls once a second and redraws one SVG line.
"""

GRID_BODY = """<h1>Live shard grid</h1>
<p class=muted>The {n} shard functions. Each cell shows the shard number, its finished
invocations, and <code>▶ in flight ✗ errors</code>; it updates live while a job runs.</p>
<div class=stats>
 <div><b id=t-inflight>0</b>in flight</div><div><b id=t-done>0</b>done</div>
 <div><b id=t-errors>0</b>errors</div><div><b id=t-invoked>0</b>invoked</div>
 <div><b id=t-jobs>0</b>open jobs</div>
</div>
<p class=legend><i style="background:#fdf3d8"></i>running now
<i style="background:#9fd0b4"></i>finished invocations (darker = more)
<i style="background:#fde2e2"></i>has errors
<span class=muted> · feed: <span id=feed>connecting…</span></span></p>
<div class=grid id=grid>{cells}</div>
<div id=jobs></div>"""

GRID_JS = r"""
const $ = (id) => document.getElementById(id);
function render(s) {
  const top = Math.max(1, ...s.shards.map(c => c.done));
  for (const c of s.shards) {
    const el = $('s' + c.shard); if (!el) continue;
    el.querySelector('.n').textContent = c.done;
    el.querySelector('span:last-child').textContent = '▶' + c.in_flight + ' ✗' + c.errors;
    el.className = 'cell' + (c.errors ? ' err' : c.in_flight ? ' busy' : c.done ? ' done' : '');
    el.style.setProperty('--heat', (0.12 + 0.5 * c.done / top).toFixed(2));
    el.dataset.done = c.done; el.dataset.inflight = c.in_flight; el.dataset.errors = c.errors;
  }
  $('t-inflight').textContent = s.totals.in_flight; $('t-done').textContent = s.totals.done;
  $('t-errors').textContent = s.totals.errors; $('t-invoked').textContent = s.totals.invoked;
  $('t-jobs').textContent = s.jobs.length;
  $('jobs').innerHTML = s.jobs.map(j => {
    const cov = j.rows_covered_per_layer || [];
    const pct = j.n_rows ? 100 * cov.reduce((a, b) => a + b, 0) / (j.n_rows * (cov.length || 1)) : 0;
    return '<p><code>' + j.model_id + '</code> ' + j.state + ' · ' + pct.toFixed(0) +
      '% of rows × layers covered <progress max=100 value=' + pct.toFixed(1) + '></progress></p>';
  }).join('');
}
function poll() {
  $('feed').textContent = 'polling';
  setInterval(() => fetch('/grid/v9/state.json').then(r => r.json()).then(render).catch(() => {}), 1000);
}
fetch('/grid/v9/state.json').then(r => r.json()).then(render).catch(() => {});
if (window.EventSource) {
  const es = new EventSource('/grid/v9/events');
  es.addEventListener('grid', (e) => { $('feed').textContent = 'live (server-sent events)'; render(JSON.parse(e.data)); });
  es.onerror = () => { es.close(); poll(); };
} else { poll(); }
"""

CONCURRENCY_PANEL = """<section id=live>
<div class=stats>
 <div><b id=c-rate>–</b>spawns/s, last 60 s</div><div><b id=c-peak>–</b>peak 1 s rate</div>
 <div><b id=c-budget>–</b>budget /s</div><div><b id=c-state>–</b>verdict</div>
</div>
<svg id=c-chart viewBox="0 0 640 200" width="100%" role=img aria-label="spawn rate over time">
 <line id=c-budget-line x1=40 x2=630 stroke="#c53030" stroke-dasharray="5 4"/>
 <text id=c-budget-label x=630 text-anchor=end style="fill:#c53030">budget</text>
 <polyline id=c-line fill=none stroke="#2b6cb0" stroke-width=2 points=""/>
 <line x1=40 x2=630 y1=180 y2=180 stroke="#9aa3b5"/>
 <text x=40 y=196>−5 min</text><text x=630 y=196 text-anchor=end>now</text>
</svg>
<p class=muted>Live spawn rate of this gatherer's mesh against the scaling-rate budget. A
60-second rate above the budget is how a run wedges (predecessor §8.1).</p>
</section>"""

CONCURRENCY_JS = r"""
const q = (id) => document.getElementById(id);
function draw(s) {
  q('c-rate').textContent = s.rate_60s_per_s.toFixed(2);
  q('c-peak').textContent = s.peak_1s_per_s.toFixed(2);
  q('c-budget').textContent = s.budget_per_s.toFixed(2);
  q('c-state').textContent = s.over_budget ? 'OVER BUDGET' : 'ok';
  q('c-state').style.color = s.over_budget ? '#c53030' : '#2f855a';
  const top = Math.max(s.budget_per_s * 1.25, ...s.series.map(p => p[1]), 1);
  const y = (v) => 180 - v / top * 165;
  const by = y(s.budget_per_s);
  for (const id of ['c-budget-line']) { q(id).setAttribute('y1', by); q(id).setAttribute('y2', by); }
  q('c-budget-label').setAttribute('y', by - 4);
  const t1 = s.t, t0 = t1 - 300;
  q('c-line').setAttribute('points', s.series.filter(p => p[0] >= t0)
    .map(p => (40 + (p[0] - t0) / 300 * 590).toFixed(1) + ',' + y(p[1]).toFixed(1)).join(' '));
}
function tick() { fetch('/concurrency/state.json').then(r => r.json()).then(draw).catch(() => {}); }
tick(); setInterval(tick, 1000);
"""
