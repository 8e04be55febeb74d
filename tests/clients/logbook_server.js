'use strict';
// A real `logbook serve` on 127.0.0.1 for the Node.js tests (port 0, fresh data
// dir), and plain HTTP requests to it.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

// Returns { child, port, output, exited, dataDir, ready } at once, so a caller
// can print `output` even when the start fails; `ready` settles once the
// "listening on" line names the port. Failures reject with `makeError(message)`
// (the caller's own error type). `options.args` are added to the command line,
// `options.env` to the environment (e.g. LOGBOOK_AUTH_* credentials).
function spawnLogbook(binary, dirPrefix, makeError, options = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), dirPrefix));
  const child = spawn(binary, ['serve', '--host', '127.0.0.1', '--port', '0',
                               '--data-dir', path.join(dataDir, 'data'),
                               ...(options.args || [])],
                      { stdio: ['ignore', 'pipe', 'pipe'],
                        env: { ...process.env, ...(options.env || {}) } });
  const server = { child, port: 0, output: '', exited: false, dataDir, ready: null };
  child.stderr.on('data', (chunk) => { server.output += chunk.toString(); });
  child.on('exit', () => { server.exited = true; });
  server.ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(makeError('no "listening on" line within 15 s')), 15000);
    child.stdout.on('data', (chunk) => {
      server.output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output);
      if (match && server.port === 0) {
        server.port = Number(match[1]);
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(makeError(`the server exited early (code ${code}, signal ${signal})`));
    });
  });
  return server;
}

// One request on its own connection; resolves { status, headers, body }.
function requestLogbook(server, method, target, { body, headers } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: target,
                               headers: headers || {}, timeout: 5000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${target} timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// The binary under test: the first argument or LOGBOOK_BINARY; a missing one
// is reported with `makeError(message)` (thrown).
function findLogbookBinary(makeError) {
  const binary = process.argv[2] || process.env.LOGBOOK_BINARY;
  if (!binary) throw makeError('no logbook binary: pass its path as the first argument or set LOGBOOK_BINARY');
  if (!fs.existsSync(binary)) throw makeError(`logbook binary ${binary} does not exist (build it first)`);
  return binary;
}

// The real eureka-js-client's Eureka class, from this folder's node_modules
// (`npm ci`); its absence is reported with `makeError(message)` (thrown).
function requireEurekaClient(makeError) {
  const modules = path.join(__dirname, 'node_modules', 'eureka-js-client');
  if (!fs.existsSync(modules)) {
    throw makeError(`eureka-js-client is not installed in ${path.join(__dirname, 'node_modules')}; ` +
                    `run "cd ${__dirname} && npm ci" (tools/run_tests.sh does this before ctest)`);
  }
  return require(modules).Eureka;
}

module.exports = { spawnLogbook, requestLogbook, findLogbookBinary, requireEurekaClient };
