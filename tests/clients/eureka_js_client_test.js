'use strict';
// Runs the real eureka-js-client (4.5.0, from package-lock.json) against the
// logbook binary: several clients of two applications, on both mounts
// (/eureka/apps/ and /eureka/v2/apps/), some fetching full registries and some
// deltas. Checks registration, mutual visibility, heartbeats (as RENEW events
// in /logbook/v1/events), a status override hiding and restoring an instance,
// deregistration on stop(), and that delta clients really used /apps/delta.
//
// Usage: node eureka_js_client_test.js [path/to/logbook]   (or LOGBOOK_BINARY)
// Exit code 0 on success, 1 with a message on any failure. Bounded: < 60 s.
//
// Known eureka-js-client 4.5.0 behaviour the checks allow for (client bugs,
// not server ones):
//  * It never compares apps__hashcode: after its first full fetch a delta
//    client fetches only deltas. The reconciliation a Java client would do is
//    therefore checked here directly against the server (checkDeltaReconciles).
//  * modifyInstance() does not apply filterUpInstances, so a MODIFIED entry
//    can put an OUT_OF_SERVICE instance into a delta client's cache; the
//    "hidden" check for delta clients is "not visible as UP".
//  * modifyInstance()/deleteInstance() splice the per-app list at index
//    `cache.vip[vipAddress]` (an array, i.e. index 0) instead of the found
//    index, so a delta client's getInstancesByAppId() is wrong after a
//    MODIFIED or DELETED entry. Its per-VIP list is maintained correctly, so
//    after the first change delta clients are checked through
//    getInstancesByVipAddress() only.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { findLogbookBinary, requireEurekaClient } = require('./logbook_server');

const TEST_BUDGET_MS = 55000;
const HEARTBEAT_INTERVAL_MS = 500;
const FETCH_INTERVAL_MS = 700;
const STEP_TIMEOUT_MS = 10000;

const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let server = null;        // { child, port, output: string[] }
let dataDir = null;
const clients = [];       // every TestClient made, for diagnostics and cleanup

function log(message) {
  process.stdout.write(`[${elapsed()}] ${message}\n`);
}

class TestFailure extends Error {}

function fail(message) {
  throw new TestFailure(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

// ---------------------------------------------------------------------------
// The server process

const findBinary = () => findLogbookBinary((message) => new TestFailure(message));

const requireClientLibrary = () => requireEurekaClient((message) => new TestFailure(message));

function startServer(binary) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-js-client-'));
  const child = spawn(binary, ['serve', '--host', '127.0.0.1', '--port', '0',
                               '--data-dir', path.join(dataDir, 'data')],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const record = (stream) => (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.length > 0) output.push(`${stream}: ${line}`);
    }
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  server = { child, port: 0, output, exit: null };
  child.stderr.on('data', record('stderr'));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
        () => reject(new TestFailure('the server did not print its "listening on" line ' +
                                     'within 15 s')), 15000);
    child.stdout.on('data', (chunk) => {
      record('stdout')(chunk);
      stdout += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match && server.port === 0) {
        server.port = Number(match[1]);
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      server.exit = { code, signal };
      clearTimeout(timer);
      reject(new TestFailure(`the server exited early (code ${code}, signal ${signal})`));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new TestFailure(`cannot start the server: ${error.message}`));
    });
  });
}

async function stopServer() {
  if (!server || server.exit) return server ? server.exit : null;
  const exited = new Promise((resolve) => server.child.once('exit',
      (code, signal) => resolve({ code, signal })));
  server.child.kill('SIGTERM');
  const result = await Promise.race([exited, sleep(5000).then(() => null)]);
  if (result === null) {
    server.child.kill('SIGKILL');
    return { code: null, signal: 'SIGKILL (SIGTERM did not stop it within 5 s)' };
  }
  return result;
}

// ---------------------------------------------------------------------------
// Plain HTTP to the server (the test's own view, independent of the clients)

function httpRequest(method, target, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1', port: server.port, method, path: target, headers, agent: false,
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({
        status: response.statusCode, headers: response.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    request.setTimeout(5000, () => request.destroy(new Error(`${method} ${target} timed out`)));
    request.on('error', reject);
    request.end();
  });
}

async function getJson(target) {
  const response = await httpRequest('GET', target, { Accept: 'application/json' });
  check(response.status === 200, `GET ${target} answered ${response.status}: ${response.body}`);
  try {
    return JSON.parse(response.body);
  } catch (error) {
    return fail(`GET ${target} returned invalid JSON (${error.message}): ${response.body}`);
  }
}

// Every event of the log, from offset 1, following `next`.
async function readAllEvents() {
  const events = [];
  let from = 1;
  for (;;) {
    const page = await getJson(`/logbook/v1/events?from=${from}&limit=1000`);
    check(Array.isArray(page.events) && typeof page.next === 'number',
          `/logbook/v1/events answered an unexpected shape: ${JSON.stringify(page)}`);
    events.push(...page.events);
    if (page.next === from) return events;
    from = page.next;
  }
}

// The instances of an `applications` document, keyed "APP/instanceId".
function instancesOf(applications) {
  const result = new Map();
  const apps = applications.application;
  check(Array.isArray(apps), `"application" is not an array: ${JSON.stringify(applications)}`);
  for (const app of apps) {
    check(Array.isArray(app.instance), `"instance" of ${app.name} is not an array`);
    for (const instance of app.instance) {
      result.set(`${app.name}/${instance.instanceId || instance.hostName}`, instance);
    }
  }
  return result;
}

// eureka-protocol.md §5.3: "STATUS_count_" in lexicographic status order.
function appsHashcode(instances) {
  const counts = new Map();
  for (const instance of instances.values()) {
    counts.set(instance.status, (counts.get(instance.status) || 0) + 1);
  }
  return [...counts.keys()].sort().map((status) => `${status}_${counts.get(status)}_`).join('');
}

// ---------------------------------------------------------------------------
// Clients

const APP_A = 'JSCLIENT-A';
const APP_B = 'JSCLIENT-B';
const VIP_A = 'jsclient-a.vip';
const VIP_B = 'jsclient-b.vip';

class TestClient {
  constructor(Eureka, spec) {
    this.spec = spec;
    this.name = spec.name;
    this.id = spec.instanceId || spec.hostName;  // the effective id (E1)
    this.app = spec.app;
    this.vip = spec.vip;
    this.mode = spec.delta ? 'delta' : 'full';
    this.requests = { full: 0, delta: 0, urls: [] };
    this.heartbeats = 0;
    this.problems = [];
    this.logLines = [];
    this.running = false;
    const note = (level) => (...args) => {
      const text = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string'
          ? a : JSON.stringify(a))).join(' ');
      this.logLines.push(`${elapsed()} ${level} ${text}`);
      if (this.logLines.length > 100) this.logLines.shift();
      // An empty local cache is reported as a warning; it is not a failure.
      if ((level === 'warn' || level === 'error') && !/Unable to retrieves? instances/.test(text)) {
        this.problems.push(`${level}: ${text}`);
      }
    };
    const instance = {
      app: spec.app,
      hostName: spec.hostName,
      ipAddr: '127.0.0.1',
      port: { $: spec.port, '@enabled': true },
      vipAddress: spec.vip,
      dataCenterInfo: {
        '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn',
      },
      metadata: { client: 'eureka-js-client', fetch: this.mode },
    };
    if (spec.instanceId) instance.instanceId = spec.instanceId;
    this.client = new Eureka({
      cwd: dataDir,  // no eureka-client.yml there: configuration comes from here only
      logger: { debug: note('debug'), info: note('info'), warn: note('warn'), error: note('error') },
      shouldUseDelta: spec.delta,
      requestMiddleware: (options, done) => {
        const method = (options.method || 'GET').toUpperCase();
        const url = `${options.baseUrl}${options.uri}`;
        this.requests.urls.push(`${method} ${url}`);
        if (method === 'GET' && options.uri === '') this.requests.full += 1;
        if (method === 'GET' && options.uri === 'delta') this.requests.delta += 1;
        done(options);
      },
      instance,
      eureka: {
        host: '127.0.0.1',
        port: server.port,
        servicePath: spec.servicePath,
        heartbeatInterval: HEARTBEAT_INTERVAL_MS,
        registryFetchInterval: FETCH_INTERVAL_MS,
        fetchMetadata: false,
        preferIpAddress: spec.preferIpAddress,
        maxRetries: 0,  // a failed request must show up as a problem, not be retried away
      },
    });
    this.client.on('heartbeat', () => { this.heartbeats += 1; });
  }

  start() {
    return new Promise((resolve) => this.client.start((error) => {
      if (error) {
        this.problems.push(`start failed: ${error.message || error}`);
        return resolve(error);
      }
      this.running = true;
      resolve(null);
    }));
  }

  // Stops right after a heartbeat completed, so no renewal is in flight when
  // the DELETE goes out (a renewal answered 404 after the cancel would make
  // the client register again).
  async stop() {
    await this.nextHeartbeat();
    this.running = false;
    return new Promise((resolve) => this.client.stop((error) => resolve(error || null)));
  }

  nextHeartbeat(timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.removeListener('heartbeat', onHeartbeat);
        reject(new TestFailure(`${this.name} completed no heartbeat within ${timeoutMs} ms`));
      }, timeoutMs);
      const onHeartbeat = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('heartbeat', onHeartbeat);
    });
  }

  // Ids the client currently knows for an app or VIP, with their statuses.
  byApp(app) {
    return this.client.getInstancesByAppId(app).map(describe);
  }

  byVip(vip) {
    return this.client.getInstancesByVipAddress(vip).map(describe);
  }

  view() {
    return `${this.name}(${this.mode}) apps A=[${this.byApp(APP_A)}] B=[${this.byApp(APP_B)}] ` +
           `vips A=[${this.byVip(VIP_A)}] B=[${this.byVip(VIP_B)}]`;
  }
}

function describe(instance) {
  return `${instance.instanceId || instance.hostName}:${instance.status}`;
}

const upIds = (entries) => entries.filter((e) => e.endsWith(':UP')).map((e) => e.split(':')[0]);
const allIds = (entries) => entries.map((e) => e.split(':')[0]);
const sameSet = (a, b) => a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

async function waitFor(description, predicate, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await predicate();
    if (result === true) return;
    if (Date.now() > deadline) {
      const views = clients.filter((c) => c.running).map((c) => `  ${c.view()}`).join('\n');
      fail(`timed out after ${timeoutMs} ms waiting until ${description}` +
           `${typeof result === 'string' ? ` (last: ${result})` : ''}\nclient views:\n${views}`);
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------
// The scenario

async function scenario() {
  const binary = findBinary();
  const Eureka = requireClientLibrary();
  await startServer(binary);
  log(`server listening on port ${server.port}`);

  const make = (spec) => {
    const client = new TestClient(Eureka, spec);
    clients.push(client);
    return client;
  };
  // Delta clients start first: instances registered after their first (full)
  // fetch can only reach them through /apps/delta.
  const a2 = make({ name: 'a2', app: APP_A, vip: VIP_A, instanceId: 'js-a2', hostName: 'a2.js.test',
                    port: 9002, servicePath: '/eureka/v2/apps/', delta: true, preferIpAddress: true });
  const b1 = make({ name: 'b1', app: APP_B, vip: VIP_B, instanceId: 'js-b1', hostName: 'b1.js.test',
                    port: 9101, servicePath: '/eureka/apps/', delta: true, preferIpAddress: false });
  // b2 sends no instanceId: its registry key is its hostName (E1).
  const a1 = make({ name: 'a1', app: APP_A, vip: VIP_A, instanceId: 'js-a1', hostName: 'a1.js.test',
                    port: 9001, servicePath: '/eureka/apps/', delta: false, preferIpAddress: false });
  const a3 = make({ name: 'a3', app: APP_A, vip: VIP_A, instanceId: 'js-a3', hostName: 'a3.js.test',
                    port: 9003, servicePath: '/eureka/v2/apps/', delta: false, preferIpAddress: true });
  const b2 = make({ name: 'b2', app: APP_B, vip: VIP_B, hostName: 'b2.js.test',
                    port: 9102, servicePath: '/eureka/v2/apps/', delta: false, preferIpAddress: false });
  const deltaClients = [a2, b1];
  const fullClients = [a1, a3, b2];

  // 1. Registration: start() fails unless the register POST answered 204.
  for (const group of [deltaClients, fullClients]) {
    const errors = await Promise.all(group.map((c) => c.start()));
    errors.forEach((error, i) => check(error === null,
        `client ${group[i].name} failed to start/register: ${error && (error.message || error)}`));
  }
  log('all 5 clients registered (204) and fetched the registry');

  // 2. Everyone sees everyone, by app and by VIP.
  const expected = { [APP_A]: ['js-a1', 'js-a2', 'js-a3'], [APP_B]: ['js-b1', 'b2.js.test'] };
  const vipOf = { [APP_A]: VIP_A, [APP_B]: VIP_B };
  await waitFor('every client sees all instances of both apps (by app id and by VIP)', () => {
    for (const client of clients) {
      for (const app of [APP_A, APP_B]) {
        if (!sameSet(upIds(client.byApp(app)), expected[app])) return `${client.view()}`;
        if (!sameSet(upIds(client.byVip(vipOf[app])), expected[app])) return `${client.view()}`;
      }
    }
    return true;
  });
  log('every client sees every instance via getInstancesByAppId and getInstancesByVipAddress');
  const snapshot = await getJson('/eureka/apps');  // base for checkDeltaReconciles

  // 3. Heartbeats over several intervals, visible as RENEW events.
  const heartbeatsBefore = new Map(clients.map((c) => [c, c.heartbeats]));
  await waitFor('each client completed 3 more heartbeats (200)',
                () => clients.every((c) => c.heartbeats >= heartbeatsBefore.get(c) + 3) ||
                    clients.map((c) => `${c.name}:${c.heartbeats}`).join(' '));
  {
    const events = await readAllEvents();
    for (const client of clients) {
      const mine = events.filter((e) => e.app === client.app && e.instance_id === client.id);
      const registers = mine.filter((e) => e.type === 'REGISTER');
      const renews = mine.filter((e) => e.type === 'RENEW');
      check(registers.length === 1,
            `expected exactly one REGISTER event for ${client.app}/${client.id}, found ` +
            `${registers.length} (a client re-registers after a 404 heartbeat)`);
      check(renews.length >= 3, `expected >= 3 RENEW events for ${client.app}/${client.id}, ` +
                                `found ${renews.length}`);
    }
    log(`heartbeats: ${clients.map((c) => `${c.name}=${c.heartbeats}`).join(' ')}; ` +
        `RENEW events present for every instance (${events.length} events in the log)`);
  }

  // 4. A status override hides a1 from the others' UP-filtered views...
  const others = clients.filter((c) => c !== a1);
  {
    const response = await httpRequest('PUT', `/eureka/apps/${APP_A}/js-a1/status?value=OUT_OF_SERVICE`);
    check(response.status === 200, `PUT status OUT_OF_SERVICE answered ${response.status}: ${response.body}`);
  }
  await waitFor('no other client sees js-a1 as UP after the OUT_OF_SERVICE override', () => {
    for (const client of others) {
      const views = [client.byVip(VIP_A)];
      if (client.mode === 'full') views.push(client.byApp(APP_A));
      for (const view of views) {
        // Full clients filter it out; delta clients may hold an OUT_OF_SERVICE copy.
        if (client.mode === 'full' && allIds(view).includes('js-a1')) return client.view();
        if (upIds(view).includes('js-a1')) return client.view();
      }
    }
    return true;
  });
  // ... and survives a1's own heartbeats (override rule 2).
  await a1.nextHeartbeat();
  await a1.nextHeartbeat();
  {
    const { instance } = await getJson(`/eureka/apps/${APP_A}/js-a1`);
    check(instance.status === 'OUT_OF_SERVICE' && instance.overriddenStatus === 'OUT_OF_SERVICE',
          `after heartbeats js-a1 should stay OUT_OF_SERVICE with that override, got status ` +
          `${instance.status} overriddenStatus ${instance.overriddenStatus}`);
  }
  log('OUT_OF_SERVICE override: js-a1 hidden from all other clients and kept across heartbeats');
  for (const client of deltaClients) log(`  ${client.view()}`);

  // 5. ... and deleting the override with value=UP brings it back.
  {
    const response = await httpRequest('DELETE', `/eureka/apps/${APP_A}/js-a1/status?value=UP`);
    check(response.status === 200, `DELETE status?value=UP answered ${response.status}: ${response.body}`);
  }
  await waitFor('every other client sees js-a1 as UP again after the override was deleted', () => {
    for (const client of others) {
      if (!upIds(client.byVip(VIP_A)).includes('js-a1')) return client.view();
      if (client.mode === 'full' && !upIds(client.byApp(APP_A)).includes('js-a1')) {
        return client.view();
      }
    }
    return true;
  });
  log('override deleted with value=UP: js-a1 visible again everywhere');

  // 6. stop() deregisters (200) and the others stop seeing the instance, for a
  // full-fetch client (a3) and a delta client (b1) being stopped.
  for (const leaving of [a3, b1]) {
    if (leaving.mode === 'delta') {
      await waitFor(`${leaving.name} fetched /apps/delta at least 5 times`,
                    () => leaving.requests.delta >= 5 || `${leaving.requests.delta} so far`);
    }
    const error = await leaving.stop();
    check(error === null, `${leaving.name}.stop() failed to deregister: ${error && error.message}`);
    const remaining = clients.filter((c) => c.running);
    await waitFor(`no remaining client sees ${leaving.id} after its stop()`, () => {
      for (const client of remaining) {
        if (allIds(client.byVip(leaving.vip)).includes(leaving.id)) return client.view();
        if (client.mode === 'full' && allIds(client.byApp(leaving.app)).includes(leaving.id)) {
          return client.view();
        }
      }
      return true;
    });
    log(`${leaving.name} (${leaving.mode}) stopped: deregistered and gone from every other client`);
    for (const client of remaining.filter((c) => c.mode === 'delta')) log(`  ${client.view()}`);
  }
  {
    const events = await readAllEvents();
    for (const leaving of [a3, b1]) {
      check(events.some((e) => e.type === 'CANCEL' && e.app === leaving.app &&
                               e.instance_id === leaving.id),
            `no CANCEL event for ${leaving.app}/${leaving.id} after its stop()`);
    }
  }

  // 7. Delta clients used /apps/delta, after exactly their first full fetch.
  for (const client of clients) {
    const base = `http://127.0.0.1:${server.port}${client.spec.servicePath}`;
    const foreign = client.requests.urls.filter((u) => !u.split(' ')[1].startsWith(base));
    check(foreign.length === 0, `${client.name} requested URLs outside ${base}: ${foreign[0]}`);
    if (client.mode === 'delta') {
      check(client.requests.full === 1,
            `delta client ${client.name} made ${client.requests.full} full fetches (expected ` +
            `only its first): deltas are being abandoned for full fetches`);
      check(client.requests.delta >= 5,
            `delta client ${client.name} fetched /apps/delta only ${client.requests.delta} times`);
      check(client.requests.urls.includes(`GET ${base}delta`),
            `delta client ${client.name} never requested GET ${base}delta`);
    } else {
      check(client.requests.delta === 0, `full client ${client.name} fetched deltas`);
      check(client.requests.full >= 5, `full client ${client.name} fetched only ` +
                                       `${client.requests.full} times`);
    }
  }
  log(`fetches: ${clients.map((c) => `${c.name}(${c.mode}) full=${c.requests.full} ` +
                                    `delta=${c.requests.delta}`).join(', ')}`);

  await checkDeltaReconciles(snapshot);

  // 8. No client saw a failed request (heartbeat, fetch, register, cancel).
  for (const client of clients) {
    check(client.problems.length === 0,
          `client ${client.name} reported problems:\n  ${client.problems.join('\n  ')}`);
  }

  // 9. The remaining clients leave; the registry ends empty.
  for (const client of clients.filter((c) => c.running)) {
    const error = await client.stop();
    check(error === null, `${client.name}.stop() failed to deregister: ${error && error.message}`);
  }
  const finalApps = instancesOf((await getJson('/eureka/apps')).applications);
  check(finalApps.size === 0, `instances left after every client stopped: ${[...finalApps.keys()]}`);
  log('all clients stopped; the registry is empty');
}

// What a Java client does with a delta (eureka-protocol.md §5.3), done here
// because eureka-js-client skips it: apply the delta served now to the full
// registry fetched earlier (by app and instance id), and check the result is
// the registry served now and its hash is the delta's apps__hashcode.
async function checkDeltaReconciles(snapshot) {
  const delta = (await getJson('/eureka/v2/apps/delta')).applications;
  const full = (await getJson('/eureka/apps')).applications;
  const local = instancesOf(snapshot.applications);
  for (const [key, instance] of instancesOf(delta)) {
    if (instance.actionType === 'DELETED') {
      local.delete(key);
    } else {
      check(instance.actionType === 'ADDED' || instance.actionType === 'MODIFIED',
            `delta entry ${key} has actionType ${instance.actionType}`);
      local.set(key, instance);
    }
  }
  const served = instancesOf(full);
  const describeMap = (m) => [...m].map(([k, v]) => `${k}:${v.status}`).sort().join(',');
  check(describeMap(local) === describeMap(served),
        `snapshot + delta != full registry:\n  reconciled: ${describeMap(local)}\n  ` +
        `served:     ${describeMap(served)}`);
  check(delta.apps__hashcode === appsHashcode(local),
        `delta apps__hashcode "${delta.apps__hashcode}" != hash of the reconciled registry ` +
        `"${appsHashcode(local)}"`);
  check(full.apps__hashcode === appsHashcode(served),
        `full apps__hashcode "${full.apps__hashcode}" != hash of its instances ` +
        `"${appsHashcode(served)}"`);
  const actions = new Map([...instancesOf(delta)].map(([k, v]) => [k, v.actionType]));
  check(actions.get(`${APP_A}/js-a3`) === 'DELETED' && actions.get(`${APP_B}/js-b1`) === 'DELETED',
        `stopped instances should be DELETED in the delta: ${JSON.stringify([...actions])}`);
  check(actions.get(`${APP_A}/js-a1`) === 'MODIFIED',
        `js-a1's latest change was a status change, so MODIFIED in the delta, got ` +
        `${actions.get(`${APP_A}/js-a1`)}`);
  log(`delta reconciles: snapshot + delta == full registry, apps__hashcode ${delta.apps__hashcode}`);
}

// ---------------------------------------------------------------------------

async function main() {
  const watchdog = setTimeout(() => {
    finish(new TestFailure(`the whole test exceeded its ${TEST_BUDGET_MS} ms budget`));
  }, TEST_BUDGET_MS);
  let failure = null;
  try {
    await scenario();
  } catch (error) {
    failure = error;
  }
  clearTimeout(watchdog);
  await finish(failure);
}

let finishing = false;
async function finish(failure) {
  if (finishing) return;
  finishing = true;
  for (const client of clients) {
    if (client.running) {
      clearInterval(client.client.heartbeat);
      clearInterval(client.client.registryFetch);
    }
  }
  const exit = await stopServer().catch(() => null);
  if (failure) {
    process.stderr.write(`\nFAILED after ${elapsed()}: ${failure instanceof TestFailure
        ? failure.message : failure.stack}\n`);
    for (const client of clients) {
      process.stderr.write(`--- client ${client.name} (${client.mode}) log tail:\n` +
                           `${client.logLines.slice(-15).join('\n')}\n`);
    }
    if (server) process.stderr.write(`--- server output tail:\n${server.output.slice(-40).join('\n')}\n`);
  } else {
    log(`server stopped (${exit ? `code ${exit.code}, signal ${exit.signal}` : 'not running'})`);
    log('PASSED');
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(failure ? 1 : 0);
}

main();
