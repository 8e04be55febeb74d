'use strict';
// The real eureka-js-client (4.5.0) against a logbook node with HTTP Basic
// authentication on (README, "Access control"): clients whose service URL
// carries user:password@ register, heartbeat, fetch each other and
// deregister; a client without credentials, or with a wrong password, gets
// 401 and fails to start. The node's output never shows the passwords.
//
// Usage: node eureka_js_client_auth_test.js path/to/logbook   (or LOGBOOK_BINARY)
// Exit code 0 on success, 1 with a message on any failure. Bounded: < 40 s.

const fs = require('node:fs');
const path = require('node:path');
const { spawnLogbook, requestLogbook, findLogbookBinary, requireEurekaClient } = require('./logbook_server');

const TEST_BUDGET_MS = 40000;
const STEP_TIMEOUT_MS = 10000;
const CLIENT_PASSWORD = 'js-client-Secret1';
const ADMIN_PASSWORD = 'js-admin-Secret2';

class TestFailure extends Error {}
function fail(message) { throw new TestFailure(message); }
function check(condition, message) { if (!condition) fail(message); }
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const findBinary = () => findLogbookBinary((message) => new TestFailure(message));

const requireClientLibrary = () => requireEurekaClient((message) => new TestFailure(message));

let server = null;
const clients = [];

const basic = (user, password) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function request(method, target, headers = {}) {
  return requestLogbook(server, method, target, { headers });
}

async function waitFor(description, predicate) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) fail(`timed out waiting for ${description}`);
    await sleep(100);
  }
}

// One eureka-js-client whose only service URL is `serviceUrl`.
function makeClient(Eureka, name, app, serviceUrl) {
  const problems = [];
  const note = (level) => (...args) => {
    if (level === 'warn' || level === 'error') {
      problems.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    }
  };
  const client = new Eureka({
    cwd: server.dataDir,  // no eureka-client.yml there
    logger: { debug: note('debug'), info: note('info'), warn: note('warn'), error: note('error') },
    instance: {
      app,
      hostName: name,
      instanceId: name,
      ipAddr: '127.0.0.1',
      port: { $: 9000, '@enabled': true },
      vipAddress: `${app.toLowerCase()}.vip`,
      dataCenterInfo: {
        '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn',
      },
    },
    eureka: {
      serviceUrls: { default: [serviceUrl] },
      heartbeatInterval: 500,
      registryFetchInterval: 700,
      fetchMetadata: false,
      maxRetries: 0,
    },
  });
  const entry = { name, client, problems, heartbeats: 0, running: false };
  client.on('heartbeat', () => { entry.heartbeats += 1; });
  clients.push(entry);
  return entry;
}

function start(entry) {
  return new Promise((resolve) => entry.client.start((error) => {
    entry.running = !error;
    resolve(error || null);
  }));
}

function stop(entry) {
  entry.running = false;
  return new Promise((resolve) => entry.client.stop((error) => resolve(error || null)));
}

async function main() {
  const binary = findBinary();
  const Eureka = requireClientLibrary();
  server = spawnLogbook(binary, 'logbook-js-auth-', (message) => new TestFailure(message), {
    args: ['--set', 'logbook.auth.enabled=true', '--log-level', 'debug',
           '--set', 'logbook.access-log=true'],
    env: { LOGBOOK_AUTH_CLIENT: `jsapp:${CLIENT_PASSWORD}`,
           LOGBOOK_AUTH_ADMIN: `ops:${ADMIN_PASSWORD}` },
  });
  await server.ready;
  const base = `127.0.0.1:${server.port}/eureka/apps/`;
  const withCredentials = `http://jsapp:${CLIENT_PASSWORD}@${base}`;

  // With user:password@ in the service URL: register, heartbeat, fetch.
  const a = makeClient(Eureka, 'js-auth-a', 'JSAUTH-A', withCredentials);
  const b = makeClient(Eureka, 'js-auth-b', 'JSAUTH-B', withCredentials);
  for (const entry of [a, b]) {
    const error = await start(entry);
    check(error === null, `${entry.name} failed to start with credentials: ${error && error.message}; ` +
                          `${entry.problems.join('; ')}`);
  }
  await waitFor('both clients to see each other', async () =>
    a.client.getInstancesByAppId('JSAUTH-B').length === 1 &&
    b.client.getInstancesByAppId('JSAUTH-A').length === 1);
  await waitFor('heartbeats from both clients', async () => a.heartbeats > 1 && b.heartbeats > 1);
  const apps = await request('GET', '/eureka/apps', { Accept: 'application/json',
                                                       Authorization: basic('ops', ADMIN_PASSWORD) });
  check(apps.status === 200, `GET /eureka/apps as admin answered ${apps.status}`);
  check(apps.body.includes('js-auth-a') && apps.body.includes('js-auth-b'),
        `the registry lacks the clients: ${apps.body}`);

  // Without credentials, or with a wrong password: 401, and start() fails.
  const anonymous = makeClient(Eureka, 'js-auth-anon', 'JSAUTH-C', `http://${base}`);
  const anonymousError = await start(anonymous);
  check(anonymousError !== null && /status: 401/.test(anonymousError.message),
        `a client without credentials was not refused with 401: ${anonymousError && anonymousError.message}`);
  const wrong = makeClient(Eureka, 'js-auth-wrong', 'JSAUTH-C', `http://jsapp:nope@${base}`);
  const wrongError = await start(wrong);
  check(wrongError !== null && /status: 401/.test(wrongError.message),
        `a client with a wrong password was not refused with 401: ${wrongError && wrongError.message}`);
  const anonymousRead = await request('GET', '/eureka/apps', { Accept: 'application/json' });
  check(anonymousRead.status === 401, `an anonymous read answered ${anonymousRead.status}`);
  check(anonymousRead.headers['www-authenticate'] === 'Basic realm="logbook"',
        `401 without the Basic challenge: ${JSON.stringify(anonymousRead.headers)}`);

  // Deregistration (DELETE) with credentials.
  for (const entry of [a, b]) {
    const error = await stop(entry);
    check(error === null, `${entry.name} failed to deregister: ${error && error.message}`);
  }
  const after = await request('GET', '/eureka/apps', { Accept: 'application/json',
                                                        Authorization: basic('ops', ADMIN_PASSWORD) });
  check(!after.body.includes('js-auth-a') && !after.body.includes('js-auth-b'),
        `the clients are still registered after stop(): ${after.body}`);

  const metrics = await request('GET', '/metrics', { Authorization: basic('ops', ADMIN_PASSWORD) });
  const rejected = /logbook_auth_rejections_total\{reason="missing"\} (\d+)/.exec(metrics.body);
  check(rejected && Number(rejected[1]) >= 2, `missing-credential rejections not counted: ${metrics.body}`);

  for (const secret of [CLIENT_PASSWORD, ADMIN_PASSWORD,
                        basic('jsapp', CLIENT_PASSWORD).slice(6), basic('jsapp', 'nope').slice(6)]) {
    check(!server.output.includes(secret), `the node's output shows a credential (${secret})`);
  }
  check(server.output.includes('msg="auth rejected"'), 'no debug line for the rejections');
}

async function shutdown() {
  for (const entry of clients) {
    if (entry.running) await stop(entry).catch(() => {});
    entry.client.stop();
  }
  if (server && !server.exited) {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => {
      if (server.exited) return resolve();
      const timer = setTimeout(() => { server.child.kill('SIGKILL'); resolve(); }, 5000);
      server.child.on('exit', () => { clearTimeout(timer); resolve(); });
    });
  }
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
}

const budget = setTimeout(() => {
  process.stderr.write(`FAIL: the eureka-js-client auth test exceeded ${TEST_BUDGET_MS} ms\n`);
  if (server && !server.exited) server.child.kill('SIGKILL');
  process.exit(1);
}, TEST_BUDGET_MS);

main().then(async () => {
  await shutdown();
  clearTimeout(budget);
  process.stdout.write('PASS: eureka-js-client registers and fetches with credentials in its ' +
                       'service URL and is refused with 401 without them\n');
  process.exit(0);
}).catch(async (error) => {
  process.stderr.write(`FAIL: ${error instanceof TestFailure ? error.message : error.stack}\n`);
  if (server) process.stderr.write(`--- server output ---\n${server.output}\n`);
  await shutdown();
  clearTimeout(budget);
  process.exit(1);
});
