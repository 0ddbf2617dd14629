#!/usr/bin/env node
// `npm test`: one Jest run over every project (see jest.config.js), with Jest's JSON report,
// then ONE summary line `N passed, N failed` as the last line of stdout. A suite that fails
// to run at all (syntax error, failing beforeAll) counts as failed even though it reported
// no tests, so a broken file can never hide behind a green total.
// Extra arguments go to Jest (e.g. `npm test -- --selectProjects platform`).
// SEQUENT_TEST_JSON=path keeps the JSON report there (default: a temp file).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tempDir = process.env.SEQUENT_TEST_JSON ? undefined : mkdtempSync(path.join(tmpdir(), 'sequent-jest-'));
const jsonFile = process.env.SEQUENT_TEST_JSON ?? path.join(tempDir, 'jest.json');
const jestBin = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');

const child = spawn(
  process.execPath,
  [jestBin, '--ci', '--json', `--outputFile=${jsonFile}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);

child.on('exit', (code, signal) => {
  let passed = 0;
  let failed = 0;
  let readable = false;
  try {
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    readable = true;
    passed = report.numPassedTests ?? 0;
    failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    // A suite whose afterAll failed reports its tests as passed but the suite as failed.
    for (const suite of report.testResults ?? []) {
      const testsFailed = (suite.assertionResults ?? []).some((t) => t.status === 'failed');
      if (suite.status === 'failed' && !testsFailed && !suite.testExecError) failed += 1;
    }
  } catch (err) {
    console.error(`run-tests: no Jest report at ${jsonFile}: ${err.message}`);
  }
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  if (!readable || (code !== 0 && failed === 0)) failed = Math.max(failed, 1); // Jest itself failed
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || code !== 0 || signal ? 1 : 0);
});
