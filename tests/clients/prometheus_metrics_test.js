'use strict';
// Scrapes the logbook binary's GET /metrics and reads it with a real
// Prometheus text-format parser (parse-prometheus-text-format, a port of the
// Prometheus Python client's parser, from package-lock.json). Checks that
// every family is well-formed (logbook_* names, HELP and TYPE, counters
// ending in _total, cumulative histogram buckets ending in +Inf = _count,
// escaped label values read back intact) and that the values move: request
// counters by endpoint and status, the registry's size by app and status,
// the log's offsets and group commits. A second node pulling from the first
// (and from a peer that is down) shows the per-peer replication families.
//
// Usage: node prometheus_metrics_test.js [path/to/logbook]   (or LOGBOOK_BINARY)
// Exit code 0 on success, 1 with a message on any failure. Bounded: < 30 s.

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawnLogbook, requestLogbook, findLogbookBinary } = require('./logbook_server');

const TEST_BUDGET_MS = 30000;
const DEAD_EUREKA_PEER = 'http://127.0.0.1:1/eureka/';

class TestFailure extends Error {}
function fail(message) { throw new TestFailure(message); }
function check(condition, message) { if (!condition) fail(message); }

function requireParser() {
  const modules = path.join(__dirname, 'node_modules', 'parse-prometheus-text-format');
  if (!fs.existsSync(modules)) {
    fail(`parse-prometheus-text-format is not installed in ${path.join(__dirname, 'node_modules')}; ` +
         `run "cd ${__dirname} && npm ci" (tools/run_tests.sh does this before ctest)`);
  }
  const parser = require(modules);
  return parser.default || parser;
}

const findBinary = () => findLogbookBinary((message) => new TestFailure(message));

let server = null;  // { child, port, output }
let dataDir = null;
let follower = null;  // a second node, pulling from `server`

function startServer(binary) {
  // A Eureka peer nobody listens on: its logbook_eureka_peer_* families are
  // exposed (and checked like every family) without a second server.
  server = spawnLogbook(binary, 'logbook-metrics-', (message) => new TestFailure(message),
                        { args: ['--eureka-peers', DEAD_EUREKA_PEER] });
  dataDir = server.dataDir;
  return server.ready;
}

function request(method, target, options) {
  return requestLogbook(server, method, target, options);
}

// A port nothing listens on: a peer that is down.
function deadPort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function registration(app, id) {
  return JSON.stringify({ instance: {
    instanceId: id, hostName: `${id}.example`, app, ipAddr: '10.0.0.1', status: 'UP',
    port: { $: 8080, '@enabled': 'true' }, securePort: { $: 443, '@enabled': 'false' },
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
                      name: 'MyOwn' },
    leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 }, vipAddress: 'vip',
  } });
}

async function register(app, id) {
  const result = await request('POST', `/eureka/apps/${encodeURIComponent(app)}`, {
    body: registration(app, id),
    headers: { 'Content-Type': 'application/json' },
  });
  check(result.status === 204, `register ${app}/${id}: ${result.status} ${result.body}`);
}

// ---------------------------------------------------------------------------
// Well-formedness, beyond what the parser enforces.

const METRIC_NAME = /^logbook_[a-z0-9_]+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^[-+]Inf$|^NaN$/;

// The raw text: every sample belongs to the family whose # TYPE precedes it.
// Returns the sample lines of each histogram family, by family name.
function checkRawText(text) {
  check(text.endsWith('\n'), 'the exposition does not end with a newline');
  let family = null;
  let type = null;
  const seenTypes = new Set();
  const histogramLines = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      family = line.split(' ')[2];
      type = null;
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, declared] = line.split(' ');
      check(name === family, `# TYPE ${name} does not follow its # HELP (${family})`);
      check(!seenTypes.has(name), `family ${name} appears twice`);
      seenTypes.add(name);
      type = declared;
      continue;
    }
    check(!line.startsWith('#'), `unexpected comment line: ${line}`);
    check(type !== null, `a sample before any # TYPE: ${line}`);
    const name = line.split(/[{ ]/, 1)[0];
    const allowed = type === 'histogram'
      ? [`${family}_bucket`, `${family}_sum`, `${family}_count`] : [family];
    check(allowed.includes(name), `sample ${name} is not part of family ${family} (${type})`);
    const value = line.slice(line.lastIndexOf(' ') + 1);
    check(NUMBER.test(value), `not a number: ${line}`);
    if (type === 'histogram') {
      if (!histogramLines.has(family)) histogramLines.set(family, []);
      histogramLines.get(family).push(line);
    }
  }
  return { families: seenTypes.size, histogramLines };
}

const labelKey = (labels) => JSON.stringify(Object.entries(labels || {}).sort());

// parse-prometheus-text-format folds all children of a labelled histogram
// into one (it keys buckets by `le` alone), so the family's samples are read
// here as plain series, each decoded by the parser, and grouped by their
// labels other than `le`.
function parseHistogram(parse, name, lines) {
  const children = new Map();
  const child = (labels) => {
    const key = labelKey(labels);
    if (!children.has(key)) children.set(key, { labels, buckets: {}, count: undefined, sum: undefined });
    return children.get(key);
  };
  for (const family of parse(`${lines.join('\n')}\n`)) {
    for (const metric of family.metrics) {
      const labels = { ...(metric.labels || {}) };
      if (family.name === `${name}_bucket`) {
        check(labels.le !== undefined, `${name}: a bucket without le`);
        const le = labels.le;
        delete labels.le;
        check(child(labels).buckets[le] === undefined, `${name}: bucket le=${le} twice`);
        child(labels).buckets[le] = metric.value;
      } else if (family.name === `${name}_sum`) {
        child(labels).sum = metric.value;
      } else if (family.name === `${name}_count`) {
        child(labels).count = metric.value;
      } else {
        fail(`${name}: unexpected series ${family.name}`);
      }
    }
  }
  return [...children.values()];
}

function checkFamily(family) {
  const where = `family ${family.name}`;
  check(METRIC_NAME.test(family.name), `${where}: not a logbook_* name`);
  check(family.help && family.help.length > 0, `${where}: no HELP text`);
  check(['COUNTER', 'GAUGE', 'HISTOGRAM'].includes(family.type), `${where}: type ${family.type}`);
  check((family.type === 'COUNTER') === family.name.endsWith('_total'),
        `${where}: counters and only counters end in _total`);
  for (const metric of family.metrics) {
    for (const label of Object.keys(metric.labels || {})) {
      check(LABEL_NAME.test(label), `${where}: bad label name ${label}`);
      check(label !== 'le', `${where}: "le" outside histogram buckets`);
    }
    if (family.type === 'HISTOGRAM') {
      const bounds = Object.keys(metric.buckets || {});
      check(bounds.includes('+Inf'), `${where}: no +Inf bucket`);
      const sorted = bounds.map((le) => [le === '+Inf' ? Infinity : Number(le), Number(metric.buckets[le])])
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < sorted.length; ++i) {
        check(sorted[i][1] >= sorted[i - 1][1],
              `${where}: bucket le=${sorted[i][0]} (${sorted[i][1]}) < le=${sorted[i - 1][0]}`);
      }
      check(Number(metric.buckets['+Inf']) === Number(metric.count),
            `${where}: +Inf bucket ${metric.buckets['+Inf']} != count ${metric.count}`);
      check(Number.isFinite(Number(metric.sum)) && Number(metric.sum) >= 0, `${where}: sum ${metric.sum}`);
    } else {
      const value = Number(metric.value);
      check(Number.isFinite(value), `${where}: value ${metric.value}`);
      if (family.type === 'COUNTER') check(value >= 0, `${where}: negative counter`);
    }
  }
}

async function scrape(parse, node = server) {
  const result = await requestLogbook(node, 'GET', '/metrics');
  check(result.status === 200, `GET /metrics: ${result.status} ${result.body}`);
  check(/^text\/plain; version=0\.0\.4/.test(result.headers['content-type'] || ''),
        `Content-Type ${result.headers['content-type']}`);
  const { families, histogramLines } = checkRawText(result.body);
  let parsed;
  try {
    parsed = parse(result.body);
    for (const family of parsed) {
      if (family.type === 'HISTOGRAM') {
        family.metrics = parseHistogram(parse, family.name, histogramLines.get(family.name) || []);
      }
    }
  } catch (error) {
    if (error instanceof TestFailure) throw error;
    fail(`the Prometheus parser rejected the exposition: ${error.message}\n${result.body}`);
  }
  check(parsed.length === families, `parser saw ${parsed.length} families, the text has ${families}`);
  for (const family of parsed) checkFamily(family);
  const byName = new Map(parsed.map((family) => [family.name, family]));
  return {
    text: result.body,
    family(name) {
      const found = byName.get(name);
      if (!found) fail(`no family ${name} in:\n${result.body}`);
      return found;
    },
    // The value of the sample with exactly these labels; undefined if none.
    value(name, labels = {}) {
      const metric = this.family(name).metrics.find((m) => labelKey(m.labels) === labelKey(labels));
      return metric === undefined ? undefined : Number(metric.value);
    },
    histogram(name, labels = {}) {
      return this.family(name).metrics.find((m) => labelKey(m.labels) === labelKey(labels));
    },
  };
}

// ---------------------------------------------------------------------------
// Replication: a follower pulls `server`'s log; a second peer of it is down.

async function checkPeerMetrics(parse, durable) {
  const live = `http://127.0.0.1:${server.port}`;
  const dead = `http://127.0.0.1:${await deadPort()}`;
  follower = spawnLogbook(findBinary(), 'logbook-metrics-peer-', (message) => new TestFailure(message),
                          // No bootstrap: it pulls the first node's log from offset 1.
                          { args: ['--node-id', 'follower', '--peers', `${live},${dead}`,
                                   '--set', 'logbook.replication.bootstrap=false'] });
  await follower.ready;
  const deadline = Date.now() + 15000;
  let metrics = null;
  for (;;) {
    metrics = await scrape(parse, follower);
    const caughtUp = metrics.value('logbook_peer_state', { peer: live, state: 'streaming' }) === 1 &&
      metrics.value('logbook_peer_cursor_offset', { peer: live }) > durable &&
      metrics.value('logbook_peer_errors_total', { peer: dead }) >= 1;
    if (caughtUp) break;
    check(Date.now() < deadline, `the follower did not catch up within 15 s:\n${metrics.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const states = metrics.family('logbook_peer_state').metrics
    .filter((m) => m.labels.peer === live && Number(m.value) === 1);
  check(states.length === 1, `live peer: ${states.length} states at 1`);
  check(metrics.value('logbook_peer_lag_events', { peer: live }) === 0, 'lag events while caught up');
  check(metrics.value('logbook_peer_lag_seconds', { peer: live }) === 0, 'lag seconds while caught up');
  check(metrics.value('logbook_peer_durable_offset', { peer: live }) === durable, 'peer durable offset');
  // Three registrations and an override at least; all of them originated there.
  check(metrics.value('logbook_peer_events_pulled_total', { peer: live }) >= 4,
        `events pulled: ${metrics.value('logbook_peer_events_pulled_total', { peer: live })}`);
  check(metrics.value('logbook_peer_bytes_pulled_total', { peer: live }) > 0, 'bytes pulled');
  check(metrics.value('logbook_peer_batches_pulled_total', { peer: live }) >= 1, 'batches pulled');
  check(metrics.value('logbook_peer_errors_total', { peer: live }) === 0, 'errors from the live peer');
  check(metrics.value('logbook_peer_last_error_timestamp_seconds', { peer: live }) === undefined,
        'an error time for the live peer');
  check(metrics.value('logbook_peer_state', { peer: dead, state: 'backoff' }) === 1,
        `the dead peer is not in backoff:\n${metrics.text}`);
  const errorAt = metrics.value('logbook_peer_last_error_timestamp_seconds', { peer: dead });
  check(Math.abs(errorAt - Date.now() / 1000) < 60, `dead peer's last error at ${errorAt}`);
  check(metrics.value('logbook_peer_events_pulled_total', { peer: dead }) === 0, 'events from the dead peer');
  // What was pulled is in the follower's registry.
  check(metrics.value('logbook_registry_instances', { app: 'ORDERS', status: 'OUT_OF_SERVICE' }) === 1,
        'the override did not reach the follower');
}

async function main() {
  const parse = requireParser();
  await startServer(findBinary());

  const before = await scrape(parse);
  check(before.value('logbook_registry_applications') === 0, 'a fresh node has applications');
  const inBefore = before.value('logbook_http_received_bytes_total');

  // An app name that needs escaping in a label value: a quote and a backslash.
  const oddApp = 'PAY"ME\\X';
  await register('ORDERS', 'o1');
  await register('ORDERS', 'o2');
  await register(oddApp, 'p1');
  let result = await request('PUT', '/eureka/apps/ORDERS/o2/status?value=OUT_OF_SERVICE');
  check(result.status === 200, `status override: ${result.status} ${result.body}`);
  result = await request('PUT', '/eureka/apps/ORDERS/ghost');  // renew of an unknown instance
  check(result.status === 404, `renew ghost: ${result.status}`);
  result = await request('GET', '/no/such/endpoint');
  check(result.status === 404, `unknown path: ${result.status}`);
  result = await request('POST', '/metrics');
  check(result.status === 405, `POST /metrics: ${result.status}`);

  const after = await scrape(parse);
  const requests = (endpoint, code) =>
    after.value('logbook_http_requests_total', { endpoint, code: String(code) });
  check(requests('app', 204) === 3, `registrations counted: ${requests('app', 204)}\n${after.text}`);
  check(requests('instance_status', 200) === 1, 'status override not counted');
  check(requests('instance', 404) === 1, 'the 404 renew is not counted');
  check(requests('unmatched', 404) === 1, 'the unknown path is not counted');
  check(requests('metrics', 405) === 1, 'the refused POST /metrics is not counted');
  check(requests('metrics', 200) === 1, `the first scrape is not counted: ${requests('metrics', 200)}`);
  const appLatency = after.histogram('logbook_http_request_duration_seconds', { endpoint: 'app' });
  check(appLatency && Number(appLatency.count) === 3, 'registration latencies not observed');

  check(after.value('logbook_registry_applications') === 2, 'applications != 2');
  // Access control is off by default: nothing refused.
  check(after.value('logbook_auth_enabled') === 0, 'logbook_auth_enabled is not 0 by default');
  check(after.value('logbook_auth_rejections_total', { reason: 'missing' }) === 0,
        'requests refused by access control while it is off');
  check(after.value('logbook_registry_instances', { app: 'ORDERS', status: 'UP' }) === 1,
        `ORDERS UP != 1\n${after.text}`);
  check(after.value('logbook_registry_instances', { app: 'ORDERS', status: 'OUT_OF_SERVICE' }) === 1,
        'ORDERS OUT_OF_SERVICE != 1');
  check(after.value('logbook_registry_instances', { app: oddApp, status: 'UP' }) === 1,
        `the escaped app label did not read back as ${oddApp}\n${after.text}`);

  // Three registrations and an override: at least four events, all durable.
  const last = after.value('logbook_log_last_offset');
  check(last >= 4, `last offset ${last}`);
  check(after.value('logbook_log_durable_offset') === last, 'durable offset behind last offset');
  check(after.value('logbook_log_fsyncs_total') >= 1, 'no fsync counted (sync=always)');
  const batches = after.histogram('logbook_log_group_commit_events');
  check(Number(batches.sum) === last, `group commits hold ${batches.sum} events, log has ${last}`);
  const commits = after.histogram('logbook_log_group_commit_seconds');
  check(Number(commits.count) === Number(batches.count) && Number(commits.count) >= 1,
        `group commit durations ${commits.count} vs batches ${batches.count}`);
  const appends = after.histogram('logbook_log_append_to_durable_seconds');
  check(Number(appends.count) >= 4, `append latencies: ${appends.count}`);
  check(after.value('logbook_data_dir_bytes') > 0, 'data dir bytes');
  check(after.value('logbook_http_connections_accepted_total') >= 1, 'connections accepted');
  check(after.value('logbook_http_received_bytes_total') > inBefore, 'bytes in did not grow');
  check(after.value('logbook_http_sent_bytes_total') > 0, 'bytes out');
  check(after.value('logbook_event_stream_waiters') === 0, 'event stream waiters');
  check(after.value('logbook_evictions_total', { reason: 'lease_expired' }) === 0, 'evictions');
  check(after.value('logbook_self_preservation_enabled') === 1, 'self-preservation default');
  check(after.value('logbook_renews_threshold') >= 0, 'renews threshold');
  check(!after.text.includes('logbook_peer_'), 'a node without --peers shows peer metrics');

  // The pushes to the (dead) Eureka peer: one series per peer URL; nothing
  // reached it, and nothing was dropped from its queue.
  const peer = { peer: DEAD_EUREKA_PEER };
  for (const name of ['logbook_eureka_peer_queue_length', 'logbook_eureka_peer_sent_batches_total',
                      'logbook_eureka_peer_failed_items_total', 'logbook_eureka_peer_send_errors_total',
                      'logbook_eureka_peer_reregistered_total', 'logbook_eureka_peer_conflicts_total',
                      'logbook_eureka_peer_last_success_timestamp_seconds']) {
    check(after.value(name, peer) >= 0, `${name} has no series for ${DEAD_EUREKA_PEER}\n${after.text}`);
  }
  check(after.value('logbook_eureka_peer_sent_items_total', peer) === 0, 'items sent to a dead peer');
  check(after.value('logbook_eureka_peer_dropped_items_total', peer) === 0, 'items dropped');

  await checkPeerMetrics(parse, after.value('logbook_log_durable_offset'));

  follower.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  const code = await new Promise((resolve) => {
    if (server.exited) resolve(server.child.exitCode);
    server.child.on('exit', (exitCode) => resolve(exitCode));
  });
  check(code === 0, `the server exited with ${code}`);
}

const budget = setTimeout(() => {
  process.stderr.write(`FAIL: over the ${TEST_BUDGET_MS} ms budget\n`);
  if (server) server.child.kill('SIGKILL');
  if (follower) follower.child.kill('SIGKILL');
  process.exit(1);
}, TEST_BUDGET_MS);

main().then(() => {
  clearTimeout(budget);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  if (follower) fs.rmSync(follower.dataDir, { recursive: true, force: true });
  process.stdout.write('PASS: /metrics parses and moves\n');
}).catch((error) => {
  clearTimeout(budget);
  process.stderr.write(`FAIL: ${error instanceof TestFailure ? error.message : error.stack}\n`);
  if (server) {
    process.stderr.write(`--- server output ---\n${server.output}\n`);
    if (!server.exited) server.child.kill('SIGKILL');
  }
  if (follower) {
    process.stderr.write(`--- follower output ---\n${follower.output}\n`);
    if (!follower.exited) follower.child.kill('SIGKILL');
    fs.rmSync(follower.dataDir, { recursive: true, force: true });
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
});
