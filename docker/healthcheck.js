// Docker HEALTHCHECK: GET /healthz on the service's ops port. The port is SEQUENT_HTTP_PORT when
// set, else the service's default, found from the command PID 1 runs (`run.js <service>`), so
// one image needs no per-service healthcheck. Exit 0 healthy, 1 not.
'use strict';
const { readFileSync } = require('node:fs');
const { get } = require('node:http');

const defaultPorts = { ingest: 8080, correlator: 9464, alerter: 9465 };

function servicePort() {
  if (process.env.SEQUENT_HTTP_PORT) return Number(process.env.SEQUENT_HTTP_PORT);
  try {
    const argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
    for (const arg of argv) if (defaultPorts[arg]) return defaultPorts[arg];
  } catch {
    // not Linux, or /proc hidden: fall through to the ingest default
  }
  return defaultPorts.ingest;
}

const req = get({ host: '127.0.0.1', port: servicePort(), path: '/healthz', timeout: 3000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
