// Container entry point: `docker run sequent <service> [args]` starts one of the services from
// the built tree. One image serves every service; the command names which one runs.
'use strict';
const path = require('node:path');

const services = {
  ingest: 'dist/apps/ingest/src/main.js',
  correlator: 'dist/apps/correlator/src/main.js',
  alerter: 'dist/apps/alerter/src/main.js',
  cli: 'dist/apps/cli/src/main.js',
};

const name = process.argv[2];
if (!name || !Object.prototype.hasOwnProperty.call(services, name)) {
  process.stderr.write(
    `usage: <${Object.keys(services).join('|')}> [args...] (got ${JSON.stringify(name)})\n`,
  );
  process.exit(2);
}
// The service sees its own arguments (e.g. `correlator --settings`) as if started directly.
process.argv.splice(2, 1);
require(path.join(__dirname, '..', services[name]));
