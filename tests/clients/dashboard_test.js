'use strict';
// The dashboard at / in a real headless browser: Debian's chromium driven by
// playwright-core (tests/clients/package-lock.json). Starts the logbook
// binary, opens the page and checks that every section is there, that an
// instance registered over HTTP during the test appears without a reload and
// disappears when cancelled, that the history view shows its REGISTER and
// CANCEL, and that an app whose name, id and metadata carry HTML runs no
// script and shows the text literally. Also: the page and its assets come
// from the node only (no CDN), with an ETag that revalidates to 304.
// Then, with HTTP Basic authentication on (README, "Access control"): the
// page works with the credentials in its URL on a node whose self-preservation
// is off (and shows Eureka's "turned off" banner), and without credentials on
// a node with logbook.auth.anonymous-read=true.
// A node with --eureka-peers lists that stock Eureka peer under DS Replicas.
//
// Usage: node dashboard_test.js path/to/logbook [screenshot.png]
//        (or LOGBOOK_BINARY; CHROMIUM overrides /usr/bin/chromium)
// Exit code 0 on success, 1 with a message on any failure. Bounded: < 30 s.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnLogbook, requestLogbook, findLogbookBinary } = require('./logbook_server');

const TEST_BUDGET_MS = 45000;
const UI_TIMEOUT_MS = 8000;  // the page redraws within ~2 s of a change
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

class TestFailure extends Error {}
function fail(message) { throw new TestFailure(message); }
function check(condition, message) { if (!condition) fail(message); }

function requirePlaywright() {
  const modules = path.join(__dirname, 'node_modules', 'playwright-core');
  if (!fs.existsSync(modules)) {
    fail(`playwright-core is not installed in ${path.join(__dirname, 'node_modules')}; ` +
         `run "cd ${__dirname} && npm ci" (tools/run_tests.sh does this before ctest)`);
  }
  if (!fs.existsSync(CHROMIUM)) {
    fail(`no browser at ${CHROMIUM}: install Debian's chromium (tools/setup.sh does)`);
  }
  return require(modules);
}

const findBinary = () => findLogbookBinary((message) => new TestFailure(message));

let server = null;  // { child, port, output, exited }
let browser = null;
let launching = null;  // the browser's launch, awaited before closing it
let dataDir = null;
let pusher = null;  // the second node, with a Eureka peer

function startServer(binary) {
  server = spawnLogbook(binary, 'logbook-dashboard-', (message) => new TestFailure(message));
  dataDir = server.dataDir;
  return server.ready;
}

function request(method, target, options) {
  return requestLogbook(server, method, target, options);
}

async function register(app, id, extra = {}) {
  const instance = {
    instanceId: id, hostName: 'host.example', app, ipAddr: '10.0.0.1', status: 'UP',
    port: { $: 8080, '@enabled': 'true' }, securePort: { $: 443, '@enabled': 'false' },
    dataCenterInfo: { '@class': 'com.netflix.appinfo.AmazonInfo', name: 'Amazon',
                      metadata: { 'ami-id': 'ami-1234', 'availability-zone': 'us-east-1a' } },
    leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 }, vipAddress: 'vip',
    statusPageUrl: 'http://host.example:8080/info',
    ...extra,
  };
  const result = await request('POST', `/eureka/v2/apps/${encodeURIComponent(app)}`, {
    body: JSON.stringify({ instance }), headers: { 'Content-Type': 'application/json' },
  });
  check(result.status === 204, `register ${app}/${id}: ${result.status} ${result.body}`);
}

async function cancel(app, id) {
  const result = await request('DELETE',
                               `/eureka/v2/apps/${encodeURIComponent(app)}/${encodeURIComponent(id)}`);
  check(result.status === 200, `cancel ${app}/${id}: ${result.status} ${result.body}`);
}

// Waits until `predicate` (run in the page) holds; fails with `what` otherwise.
async function waitInPage(page, what, predicate, arg) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: UI_TIMEOUT_MS, polling: 100 });
  } catch (_) {
    fail(`the page did not show ${what} within ${UI_TIMEOUT_MS} ms`);
  }
}

const sectionText = (page, id) => page.locator(`#${id}`).innerText();

async function checkAssetsHttp() {
  for (const target of ['/', '/dashboard.js', '/dashboard.css']) {
    const first = await request('GET', target);
    check(first.status === 200, `GET ${target}: ${first.status}`);
    check(/^"[0-9a-f]{16}"$/.test(first.headers.etag || ''), `GET ${target}: ETag ${first.headers.etag}`);
    check(first.headers['cache-control'] === 'no-cache', `GET ${target}: Cache-Control ${first.headers['cache-control']}`);
    const again = await request('GET', target, { headers: { 'If-None-Match': first.headers.etag } });
    check(again.status === 304 && again.body === '', `GET ${target} with its ETag: ${again.status}`);
    check(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(first.body),
          `${target} refers to an external URL (the dashboard must work offline)`);
  }
  const post = await request('POST', '/', { body: '' });
  check(post.status === 405, `POST /: ${post.status}`);
}

async function main() {
  const { chromium } = requirePlaywright();
  const screenshot = process.argv[3] || path.join(os.tmpdir(), 'logbook-dashboard.png');
  const binary = findBinary();
  // Both take seconds on a loaded machine: start them together.
  launching = chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    .then((launched) => { browser = launched; });
  await Promise.all([startServer(binary), launching]);
  const base = `http://127.0.0.1:${server.port}`;
  await checkAssetsHttp();

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on('dialog', (dialog) => { problems.push(`a dialog opened: ${dialog.message()}`); dialog.dismiss(); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (req) => {
    if (!req.url().startsWith(base)) problems.push(`request outside the node: ${req.url()}`);
  });

  await page.goto(`${base}/`, { waitUntil: 'load', timeout: UI_TIMEOUT_MS });
  await waitInPage(page, 'the first refresh', () => /updated/.test(document.getElementById('connection').textContent));

  // Every section, with the fields Eureka users look for.
  for (const [id, heading] of [
    ['system-status', 'System Status'], ['ds-replicas', 'DS Replicas'],
    ['instances', 'Instances currently registered'], ['general-info', 'General Info'],
    ['instance-info', 'Instance Info'], ['lastn', 'Recent registrations and cancellations'],
    ['log', 'Log'], ['peers', 'Peers'], ['history', 'History'], ['timeline', 'Last hour'],
  ]) {
    check(await page.locator(`#${id}`).isVisible(), `section #${id} is not visible`);
    const text = await sectionText(page, id);
    check(text.includes(heading), `section #${id} lacks its heading "${heading}": ${text}`);
  }
  const system = await sectionText(page, 'system-status');
  for (const field of ['Environment', 'Current time', 'Uptime', 'Lease expiration enabled',
                       'Renews threshold', 'Renews (last min)']) {
    check(system.includes(field), `System Status lacks "${field}": ${system}`);
  }
  const log = await sectionText(page, 'log');
  for (const field of ['first offset', 'last offset', 'durable offset', 'disk use', 'last snapshot']) {
    check(log.includes(field), `the Log section lacks "${field}": ${log}`);
  }
  check(/disk use\s+[\d.]+ (B|KiB|MiB|GiB)/.test(log), `the Log section shows no disk use: ${log}`);
  check((await sectionText(page, 'ds-replicas')).includes('no replicas configured'),
        'DS Replicas does not say that no replica is configured');
  check(await page.locator('#timeline-chart svg').count() === 1, 'no timeline chart (svg)');

  // The banner follows the node's own verdict.
  const status = JSON.parse((await request('GET', '/logbook/v1/status')).body);
  check(status.log.disk_bytes > 0 && status.now_ms >= status.started_ms && status.started_ms > 0,
        `/logbook/v1/status lacks disk_bytes, now_ms or started_ms: ${JSON.stringify(status)}`);
  const sp = status.self_preservation;
  const bannerShown = await page.locator('#emergency').isVisible();
  check(bannerShown === (sp.enabled && !sp.lease_expiration_enabled),
        `the self-preservation banner is ${bannerShown ? 'shown' : 'hidden'} for ${JSON.stringify(sp)}`);
  if (bannerShown) {
    check((await page.locator('#emergency').innerText()).startsWith(
      'EMERGENCY! EUREKA MAY BE INCORRECTLY CLAIMING INSTANCES ARE UP WHEN THEY\'RE NOT.'),
          'the banner text is not Eureka\'s');
  }
  check(!(await page.locator('#self-preservation-off').isVisible()),
        'the "self preservation mode is turned off" banner shows while it is on');

  // A registration shows up without a reload.
  await page.evaluate(() => { window.__sameDocument = true; });
  await register('DASHAPP', 'dash-1');
  await waitInPage(page, 'the registered instance dash-1', () =>
    [...document.querySelectorAll('#instances-body .instance-link')].some((b) => b.textContent === 'dash-1'));
  const row = await page.locator('#instances-body tr[data-app="DASHAPP"]').innerText();
  check(row.includes('UP (1)') && row.includes('ami-1234 (1)') && row.includes('us-east-1a (1)'),
        `the DASHAPP row lacks its status, AMI or zone counts: ${row}`);
  await waitInPage(page, 'DASHAPP(dash-1) among the recent registrations', () =>
    document.getElementById('lastn-registered').textContent.includes('DASHAPP(dash-1)'));
  await waitInPage(page, 'a REGISTER bar in the timeline', () =>
    document.querySelectorAll('#timeline-chart rect.bar-REGISTER').length > 0);

  // Its history: REGISTER, then CANCEL once cancelled; the instance leaves the table.
  await page.locator('#instances-body .instance-link', { hasText: 'dash-1' }).click();
  await waitInPage(page, 'REGISTER in the history of DASHAPP/dash-1', () =>
    [...document.querySelectorAll('#history-body tr.history-row')].some((r) => r.dataset.type === 'REGISTER'));
  check((await page.locator('#history-subject').innerText()) === 'DASHAPP / dash-1',
        'the history view does not name DASHAPP / dash-1');
  await cancel('DASHAPP', 'dash-1');
  await waitInPage(page, 'dash-1 gone from the registered instances', () =>
    ![...document.querySelectorAll('#instances-body .instance-link')].some((b) => b.textContent === 'dash-1'));
  await waitInPage(page, 'CANCEL in the history of DASHAPP/dash-1', () =>
    [...document.querySelectorAll('#history-body tr.history-row')].some((r) => r.dataset.type === 'CANCEL'));
  await waitInPage(page, 'DASHAPP(dash-1) among the cancelled leases', () =>
    document.getElementById('lastn-cancelled').textContent.includes('DASHAPP(dash-1)'));

  // Hostile names and metadata are shown as text, and run nothing.
  const payload = '<img src=x onerror="window.__xss=1;alert(1)">';
  await register(`XSS${payload}`, `id${payload}`, {
    dataCenterInfo: { '@class': 'com.netflix.appinfo.AmazonInfo', name: 'Amazon',
                      metadata: { 'ami-id': `ami${payload}`, 'availability-zone': `zone${payload}` } },
    metadata: { note: payload },
    statusPageUrl: 'javascript:window.__xss=1',
  });
  await waitInPage(page, 'the hostile instance as text', (text) =>
    document.getElementById('instances-body').textContent.includes(text), `id${payload}`);
  const instances = await sectionText(page, 'instances');
  for (const literal of [`XSS${payload.toUpperCase()}`, `ami${payload}`, `zone${payload}`]) {
    check(instances.includes(literal), `the page does not show ${literal} literally: ${instances}`);
  }
  check(await page.locator('img').count() === 0, 'an <img> element was injected into the page');
  check(await page.locator('a[href^="javascript:"]').count() === 0, 'a javascript: link was rendered');
  check(await page.evaluate(() => window.__xss) === undefined, 'the injected script ran');
  check(await page.evaluate(() => window.__sameDocument) === true, 'the page was reloaded');
  check(problems.length === 0, `the page misbehaved: ${problems.join('; ')}`);

  await page.screenshot({ path: screenshot, fullPage: true });
  process.stdout.write(`screenshot: ${screenshot}\n`);

  await checkWithAuthentication(binary);
  await checkEurekaPeerReplica(binary);
}

// ---------------------------------------------------------------------------
// With authentication on.

const ADMIN_PASSWORD = 'dash-admin-Secret';
const CLIENT_PASSWORD = 'dash-client-Secret';
const basic = (user, password) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const authServers = [];

async function startAuthServer(binary, extraArgs) {
  const node = spawnLogbook(binary, 'logbook-dashboard-auth-', (message) => new TestFailure(message), {
    args: ['--set', 'logbook.auth.enabled=true', ...extraArgs],
    env: { LOGBOOK_AUTH_ADMIN: `ops:${ADMIN_PASSWORD}`, LOGBOOK_AUTH_CLIENT: `app:${CLIENT_PASSWORD}` },
  });
  authServers.push(node);
  await node.ready;
  return node;
}

async function registerAsClient(node, app, id) {
  const instance = {
    instanceId: id, hostName: 'host.example', app, ipAddr: '10.0.0.1', status: 'UP',
    port: { $: 8080, '@enabled': 'true' }, vipAddress: 'vip',
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
  };
  const result = await requestLogbook(node, 'POST', `/eureka/v2/apps/${app}`, {
    body: JSON.stringify({ instance }),
    headers: { 'Content-Type': 'application/json', Authorization: basic('app', CLIENT_PASSWORD) },
  });
  check(result.status === 204, `register ${app}/${id} as a client: ${result.status} ${result.body}`);
}

// Opens `url` in a fresh context; checks the page refreshes from the JSON
// endpoints and follows a registration made meanwhile, without errors.
async function checkLiveDashboard(node, url, what) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() === 401 || response.status() === 403) {
        problems.push(`${response.url()} answered ${response.status()}`);
      }
    });
    const response = await page.goto(url, { waitUntil: 'load', timeout: UI_TIMEOUT_MS });
    check(response.status() === 200, `${what}: the page answered ${response.status()}`);
    await waitInPage(page, `${what}: the first refresh`, () =>
      /updated/.test(document.getElementById('connection').textContent));
    const id = `auth-${authServers.length}`;
    await registerAsClient(node, 'DASHAUTH', id);
    await waitInPage(page, `${what}: the registered instance ${id}`, (wanted) =>
      [...document.querySelectorAll('#instances-body .instance-link')].some((b) => b.textContent === wanted), id);
    check(problems.length === 0, `${what}: ${problems.join('; ')}`);
    return page;
  } catch (error) {
    await context.close().catch(() => {});
    throw error;
  }
}

async function checkWithAuthentication(binary) {
  // Credentials in the page's URL; self-preservation off.
  const closed = await startAuthServer(binary, ['--set', 'eureka.server.enable-self-preservation=false']);
  const anonymous = await requestLogbook(closed, 'GET', '/');
  check(anonymous.status === 401, `GET / without credentials on an auth node answered ${anonymous.status}`);
  const page = await checkLiveDashboard(
    closed, `http://ops:${ADMIN_PASSWORD}@127.0.0.1:${closed.port}/`, 'credentials in the URL');
  check(await page.locator('#self-preservation-off').isVisible(),
        'no "self preservation mode is turned off" banner while it is off');
  check(/THE SELF PRESERVATION MODE IS TURNED OFF\. THIS MAY NOT PROTECT INSTANCE EXPIRY IN CASE OF NETWORK\/OTHER PROBLEMS\.$/
          .test(await page.locator('#self-preservation-off').innerText()),
        `the "turned off" banner text is not Eureka's: ${await page.locator('#self-preservation-off').innerText()}`);
  check(!(await page.locator('#emergency').isVisible()), 'the EMERGENCY banner shows with self-preservation off');
  await page.context().close();

  // No credentials at all, with anonymous reads on.
  const open = await startAuthServer(binary, ['--set', 'logbook.auth.anonymous-read=true']);
  const openPage = await checkLiveDashboard(open, `http://127.0.0.1:${open.port}/`, 'anonymous read');
  check(!(await openPage.locator('#self-preservation-off').isVisible()),
        'the "turned off" banner shows while self-preservation is on');
  await openPage.context().close();
}

// A node pushing to a stock Eureka peer (--eureka-peers) lists it under DS
// Replicas with its push state. Nothing listens on the peer's port.
async function checkEurekaPeerReplica(binary) {
  const peerUrl = 'http://127.0.0.1:1/eureka/';
  pusher = spawnLogbook(binary, 'logbook-dashboard-push-', (message) => new TestFailure(message),
                        { args: ['--eureka-peers', peerUrl] });
  await pusher.ready;
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${pusher.port}/`, { waitUntil: 'load', timeout: UI_TIMEOUT_MS });
  await waitInPage(page, 'the Eureka peer under DS Replicas', (url) => {
    const text = document.getElementById('ds-replicas').textContent;
    return text.includes(url) && text.includes('stock Eureka') && !text.includes('no replicas configured');
  }, peerUrl);
  const general = await sectionText(page, 'general-info');
  check(general.includes(peerUrl), `registered-replicas does not list ${peerUrl}: ${general}`);
}

async function stop() {
  if (launching) await launching.catch(() => {});
  for (const node of authServers) {
    if (!node.exited) node.child.kill('SIGTERM');
  }
  if (browser) await browser.close().catch(() => {});
  if (server && !server.exited) {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => {
      if (server.exited) return resolve();
      const timer = setTimeout(() => { server.child.kill('SIGKILL'); resolve(); }, 5000);
      server.child.on('exit', () => { clearTimeout(timer); resolve(); });
    });
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  for (const node of authServers) {
    if (!node.exited) {
      await new Promise((resolve) => {
        const timer = setTimeout(() => { node.child.kill('SIGKILL'); resolve(); }, 5000);
        node.child.on('exit', () => { clearTimeout(timer); resolve(); });
      });
    }
    fs.rmSync(node.dataDir, { recursive: true, force: true });
  }
  if (pusher) {
    if (!pusher.exited) pusher.child.kill('SIGKILL');
    fs.rmSync(pusher.dataDir, { recursive: true, force: true });
  }
}

const budget = setTimeout(() => {
  process.stderr.write(`FAIL: the dashboard test exceeded ${TEST_BUDGET_MS} ms\n`);
  if (server && !server.exited) server.child.kill('SIGKILL');
  if (pusher && !pusher.exited) pusher.child.kill('SIGKILL');
  process.exit(1);
}, TEST_BUDGET_MS);

main().then(async () => {
  await stop();
  clearTimeout(budget);
  process.stdout.write('PASS: the dashboard shows the registry and follows it live\n');
}).catch(async (error) => {
  process.stderr.write(`FAIL: ${error instanceof TestFailure ? error.message : error.stack}\n`);
  if (server) process.stderr.write(`--- server output ---\n${server.output}\n`);
  for (const node of authServers) process.stderr.write(`--- auth server output ---\n${node.output}\n`);
  await stop();
  clearTimeout(budget);
  process.exit(1);
});
