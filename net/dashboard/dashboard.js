'use strict';
// Logbook dashboard. Reads the node's JSON endpoints (/logbook/v1/status,
// /eureka/v2/apps, /eureka/v2/status, /logbook/v1/history) and redraws on
// change: a long-poll of /logbook/v1/events returns as soon as the log grows
// (or after WAIT_MS), then everything is fetched again.
//
// Everything from the registry is user input (app names, ids, metadata): the
// page is built with createElement/textContent only, never innerHTML, and
// links are kept only for http(s) URLs.

const WAIT_MS = 2000;        // long-poll bound: also the refresh period when idle
const MIN_REFRESH_MS = 500;  // a busy log (renewals) redraws at most this often
const HOUR_MS = 3600 * 1000;
const TIMELINE_TYPES = ['REGISTER', 'CANCEL', 'EVICT'];
const TIMELINE_COLORS = { REGISTER: '#18794e', CANCEL: '#a35d00', EVICT: '#a1151b' };
const LASTN_ROWS = 50;

const state = {
  nextOffset: 0,        // events long-poll cursor (0: unknown yet)
  recent: [],           // audit entries of the last hour, oldest first
  recentNext: 0,        // history cursor for `recent`
  historySubject: null, // { app, instance } shown in the history view
};

// ---------------------------------------------------------------------------
// DOM helpers: text only.

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value;
    else if (key === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function replaceChildren(id, nodes) {
  document.getElementById(id).replaceChildren(...nodes);
}

function kvRows(id, pairs) {
  replaceChildren(id, pairs.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v))));
}

function safeUrl(url) {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch (_) {
    return null;
  }
}

function asArray(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function formatTime(ms) { return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC'); }

function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${d > 0 ? `${d}d ` : ''}${hh}:${mm}:${ss}`;
}

function formatBytes(n) {
  if (typeof n !== 'number') return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

// Against the origin, not the page's URL: a page opened with user:password@
// in its address (Basic auth, README "Access control") may not fetch relative
// URLs, which would carry the credentials; the browser sends the ones it
// keeps for this origin instead.
function nodeUrl(path) {
  return new URL(path, location.origin);
}

async function getJson(url) {
  const response = await fetch(nodeUrl(url), { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------------------
// Sections.

function renderStatus(status, server) {
  const sp = status.self_preservation || {};
  const general = (server && server.generalStats) || {};
  document.getElementById('node-id').textContent = `node ${status.node_id}`;
  kvRows('system-status-body', [
    ['Environment', general.environment || '—'],
    ['Current time', formatTime(status.now_ms)],
    ['Uptime', formatDuration(status.now_ms - status.started_ms)],
    ['Lease expiration enabled', String(sp.lease_expiration_enabled)],
    ['Renews threshold', String(sp.renews_threshold)],
    ['Renews (last min)', String(sp.renews_last_min)],
  ]);
  // Eureka's banner: self-preservation is on and the renewals fell below the threshold.
  document.getElementById('emergency').hidden = !(sp.enabled && !sp.lease_expiration_enabled);
  // And the one it shows when self-preservation is configured off, prefixed
  // like Eureka's when the renewals are below the threshold too.
  const off = document.getElementById('self-preservation-off');
  off.hidden = sp.enabled !== false;
  if (!off.hidden) {
    const below = sp.renews_last_min < sp.renews_threshold;
    off.textContent = (below ? 'RENEWALS ARE LESSER THAN THE THRESHOLD. ' : '') +
      'THE SELF PRESERVATION MODE IS TURNED OFF. THIS MAY NOT PROTECT INSTANCE EXPIRY IN CASE ' +
      'OF NETWORK/OTHER PROBLEMS.';
  }

  const peers = asArray(status.peers);
  // Stock Eureka servers this node pushes to (--eureka-peers) are replicas too.
  const eurekaPeers = asArray(status.eureka_peers);
  const replicaUrls = peers.map((p) => p.url).concat(eurekaPeers.map((p) => p.url));
  replaceChildren('ds-replicas-list', replicaUrls.length === 0
    ? [el('li', { class: 'muted' }, 'no replicas configured')]
    : peers.map((p) => el('li', {}, p.url)).concat(eurekaPeers.map((p) => el('li', {},
        `${p.url} (stock Eureka, push: ${p.state}, queue ${p.queue_length}, ` +
        `sent ${p.sent_items}, failed ${p.failed_items}` +
        (p.last_error ? `, last error: ${p.last_error}` : '') + ')'))));
  replaceChildren('peers-body', peers.length === 0
    ? [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'no peers'))]
    : peers.map((p) => el('tr', {}, el('td', {}, p.url), el('td', {}, p.state || '—'),
                          el('td', {}, p.lag_events ?? '—'), el('td', {}, p.lag_ms ?? '—'))));

  const registry = status.registry || {};
  const recovery = status.recovery || {};
  kvRows('general-info-body', [
    ['environment', general.environment || '—'],
    ['server-uptime', general['server-uptime'] || formatDuration(status.now_ms - status.started_ms)],
    ['registered-replicas', replicaUrls.join(', ') || '—'],
    ['applications', String(registry.applications)],
    ['instances', String(registry.instances)],
    ['apps hashcode', registry.apps_hashcode || '—'],
    ['expected clients', String(sp.expected_clients)],
    ['self-preservation', sp.enabled ? 'enabled' : 'disabled'],
  ]);
  const loop = status.loop || {};
  kvRows('instance-info-body', [
    ['node id', status.node_id],
    ['address', location.host],
    ['log identity', status.log_identity],
    ['recovered from snapshot at', String(recovery.snapshot_offset)],
    ['replayed events', `${recovery.replayed_events} in ${recovery.ms} ms`],
    ['loop max stall (recent)', loop.recent_max_stall_ms === undefined ? '—'
      : `${loop.recent_max_stall_ms.toFixed(1)} ms`],
  ]);

  const log = status.log || {};
  const snapshots = status.snapshots;
  kvRows('log-body', [
    ['first offset', String(log.first_offset)],
    ['last offset', String(log.last_offset)],
    ['durable offset', String(log.durable_offset)],
    ['disk use', formatBytes(log.disk_bytes)],
    ['last snapshot', !snapshots || snapshots.taken === 0 ? 'none since start'
      : `offset ${snapshots.last_offset}, ${formatBytes(snapshots.last_bytes)}, ${snapshots.last_ms} ms`],
    ['snapshots taken', snapshots ? String(snapshots.taken) + (snapshots.in_progress ? ' (one in progress)' : '') : '—'],
    ['snapshot error', snapshots && snapshots.last_error ? snapshots.last_error : 'none'],
  ]);
}

function historyButton(label, subject, cls) {
  return el('button', { class: `link ${cls || ''}`, type: 'button', title: 'show history',
                        onclick: () => { state.historySubject = subject; refreshHistory(); } }, label);
}

function renderApps(apps) {
  const applications = asArray(apps && apps.applications && apps.applications.application);
  applications.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  if (applications.length === 0) {
    replaceChildren('instances-body', [el('tr', {}, el('td', { colspan: '4', class: 'muted' },
                                                       'No instances available'))]);
    return;
  }
  replaceChildren('instances-body', applications.map((app) => {
    const instances = asArray(app.instance);
    const amis = new Map();
    const zones = new Map();
    const byStatus = new Map();
    for (const instance of instances) {
      const meta = (instance.dataCenterInfo && instance.dataCenterInfo.metadata) || {};
      const ami = meta['ami-id'] || 'n/a';
      const zone = meta['availability-zone'] || 'n/a';
      amis.set(ami, (amis.get(ami) || 0) + 1);
      zones.set(zone, (zones.get(zone) || 0) + 1);
      const status = String(instance.status);
      if (!byStatus.has(status)) byStatus.set(status, []);
      byStatus.get(status).push(instance);
    }
    const counts = (map) => [...map].map(([k, n]) => `${k} (${n})`).join(', ');
    const statusCell = el('td', {});
    for (const [status, list] of [...byStatus].sort()) {
      const line = el('div', {}, el('b', { class: `status-${status.replace(/[^A-Z_]/g, '')}` },
                                    `${status} (${list.length})`), ' - ');
      for (const instance of list) {
        const id = instance.instanceId || instance.hostName;
        const span = el('span', { class: 'instance' },
                        historyButton(id, { app: app.name, instance: id }, 'instance-link'));
        const url = safeUrl(instance.statusPageUrl || instance.homePageUrl);
        if (url) span.append(' ', el('a', { href: url, rel: 'noopener noreferrer', target: '_blank', title: url }, '↗'));
        line.append(span);
      }
      statusCell.append(line);
    }
    return el('tr', { 'data-app': app.name },
              el('td', {}, historyButton(app.name, { app: app.name, instance: null }, 'app-link')),
              el('td', {}, counts(amis)), el('td', {}, counts(zones)), statusCell);
  }));
}

function changeText(entry) {
  const c = entry.changes;
  if (!c) return '';
  if (c.status) return `${c.status.before ?? '∅'} → ${c.status.after}` + (c.override !== undefined ? ` (override ${c.override ?? 'removed'})` : '');
  if (c.metadata_keys) return `metadata: ${c.metadata_keys.join(', ')}`;
  return '';
}

async function refreshHistory() {
  const subject = state.historySubject;
  if (!subject) return;
  const params = new URLSearchParams({ app: subject.app, limit: '1000' });
  if (subject.instance) params.set('instance', subject.instance);
  document.getElementById('history-subject').textContent =
    subject.instance ? `${subject.app} / ${subject.instance}` : subject.app;
  const page = await getJson(`/logbook/v1/history?${params}`);
  const entries = asArray(page.events).slice().reverse();
  replaceChildren('history-body', entries.length === 0
    ? [el('tr', {}, el('td', { colspan: '6', class: 'muted' }, 'no history retained'))]
    : entries.map((e) => el('tr', { class: 'history-row', 'data-type': e.type },
                            el('td', {}, e.offset), el('td', {}, formatTime(e.timestamp)),
                            el('td', {}, e.type), el('td', {}, e.instance_id),
                            el('td', {}, e.source), el('td', {}, changeText(e)))));
}

// The last hour of REGISTER/CANCEL/EVICT, read incrementally with the
// history cursor; feeds both the recent lists and the timeline.
async function refreshRecent(nowMs) {
  const since = nowMs - HOUR_MS;
  for (let pages = 0; pages < 10; pages += 1) {
    const params = new URLSearchParams({ types: TIMELINE_TYPES.join(','), limit: '1000' });
    if (state.recentNext > 0) params.set('from', String(state.recentNext));
    else params.set('since', String(since));
    const page = await getJson(`/logbook/v1/history?${params}`);
    const events = asArray(page.events);
    state.recent.push(...events);
    state.recentNext = page.next;
    if (events.length < 1000) break;
  }
  state.recent = state.recent.filter((e) => e.timestamp >= since);
  const lease = (e) => `${e.app}(${e.instance_id})`;
  const rows = (types) => {
    const list = state.recent.filter((e) => types.includes(e.type)).slice(-LASTN_ROWS).reverse();
    return list.length === 0 ? [el('tr', {}, el('td', { colspan: '2', class: 'muted' }, 'none in the last hour'))]
      : list.map((e) => el('tr', { class: 'lastn-row' }, el('td', {}, formatTime(e.timestamp)), el('td', {}, lease(e))));
  };
  replaceChildren('lastn-registered', rows(['REGISTER']));
  replaceChildren('lastn-cancelled', rows(['CANCEL', 'EVICT']));
  renderTimeline(nowMs);
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// One bar group per minute of the last hour, one bar per event type.
function renderTimeline(nowMs) {
  const buckets = 60;
  const start = nowMs - HOUR_MS;
  const counts = TIMELINE_TYPES.map(() => new Array(buckets).fill(0));
  for (const e of state.recent) {
    const b = Math.min(buckets - 1, Math.floor((e.timestamp - start) / 60000));
    const t = TIMELINE_TYPES.indexOf(e.type);
    if (b >= 0 && t >= 0) counts[t][b] += 1;
  }
  const max = Math.max(1, ...counts.flat());
  // Drawn at the container's pixel width, so text is never stretched.
  const width = Math.max(360, document.getElementById('timeline-chart').clientWidth || 900);
  const height = 160;
  const left = 30;
  const bottom = 18;
  const plotH = height - bottom - 6;
  const groupW = (width - left) / buckets;
  const barW = Math.max(1, (groupW - 2) / TIMELINE_TYPES.length);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
                             'aria-label': 'registrations, cancellations and evictions per minute, last hour' });
  chart.append(svg('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#999' }));
  chart.append(svg('text', { x: 0, y: 12, 'font-size': 11, fill: '#555' }, String(max)));
  chart.append(svg('text', { x: 0, y: height - bottom, 'font-size': 11, fill: '#555' }, '0'));
  chart.append(svg('text', { x: left, y: height - 3, 'font-size': 11, fill: '#555' }, '-60 min'));
  chart.append(svg('text', { x: width - 28, y: height - 3, 'font-size': 11, fill: '#555' }, 'now'));
  TIMELINE_TYPES.forEach((type, t) => {
    counts[t].forEach((n, b) => {
      if (n === 0) return;
      const h = Math.max(2, (n / max) * plotH);
      const bar = svg('rect', { x: left + b * groupW + 1 + t * barW, y: height - bottom - h, width: barW, height: h,
                                fill: TIMELINE_COLORS[type], class: `bar bar-${type}` });
      bar.append(svg('title', {}, `${type}: ${n}`));
      chart.append(bar);
    });
  });
  const legend = el('div', { class: 'legend' }, ...TIMELINE_TYPES.map((type, t) => {
    const total = counts[t].reduce((a, b) => a + b, 0);
    return el('span', {}, el('span', { class: 'swatch', style: `background:${TIMELINE_COLORS[type]}` }),
              `${type} ${total}`);
  }));
  replaceChildren('timeline-chart', [chart, legend]);
}

// ---------------------------------------------------------------------------
// Refresh loop.

async function refreshAll() {
  const [status, apps, server] = await Promise.all([
    getJson('/logbook/v1/status'),
    getJson('/eureka/v2/apps'),
    getJson('/eureka/v2/status').catch(() => null),
  ]);
  renderStatus(status, server);
  renderApps(apps);
  await refreshRecent(status.now_ms);
  await refreshHistory();
  if (state.nextOffset === 0) state.nextOffset = status.log.last_offset + 1;
  document.getElementById('connection').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

// Waits until the log grows past what was drawn (or WAIT_MS passes).
async function waitForChange() {
  const params = new URLSearchParams({ from: String(state.nextOffset), limit: '1000', wait_ms: String(WAIT_MS) });
  const response = await fetch(nodeUrl(`/logbook/v1/events?${params}`), { cache: 'no-store' });
  if (response.status === 410 || response.status === 400) {
    state.nextOffset = 0;  // compacted away or a new log: start again from the status
    return;
  }
  if (!response.ok) throw new Error(`events: HTTP ${response.status}`);
  const page = await response.json();
  state.nextOffset = page.next;
}

async function run() {
  for (;;) {
    const started = Date.now();
    try {
      await refreshAll();
      await waitForChange();
    } catch (error) {
      document.getElementById('connection').textContent = `error: ${error.message}; retrying`;
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
    }
    const elapsed = Date.now() - started;
    if (elapsed < MIN_REFRESH_MS) await new Promise((resolve) => setTimeout(resolve, MIN_REFRESH_MS - elapsed));
  }
}

run();
