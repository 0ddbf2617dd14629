// Loads a service's configuration from a given environment with the service's own schema
// (apps/<service>/src/config.ts, through libs/platform loadConfig), the way the service does at
// start-up. Run with the harness swc require hook; stdin: {"service": "...", "env": {...}};
// stdout: {"ok": true} or {"ok": false, "problems": [...]}. Secret files (`*_FILE`) are not
// read: a mounted Secret does not exist here, so a `.json` path reads as an empty JSON list
// and any other path as a placeholder string.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const { service, env } = JSON.parse(readFileSync(0, 'utf8'));
const config = require(path.join(root, 'apps', service, 'src', 'config.ts'));
const { loadConfig, ConfigError } = require(path.join(root, 'libs', 'platform', 'src', 'config.ts'));
const schemaName = Object.keys(config).find((k) => k.endsWith('ConfigSchema'));
if (!schemaName) throw new Error(`apps/${service}/src/config.ts exports no *ConfigSchema`);
try {
  loadConfig(config[schemaName], {
    env,
    readFile: (file) => (file.endsWith('.json') ? '[]' : 'placeholder-secret'),
  });
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (err) {
  const problems = err instanceof ConfigError ? err.problems : [String(err && err.message)];
  process.stdout.write(JSON.stringify({ ok: false, problems }));
}
