#!/usr/bin/env node
// Validates Kubernetes objects with kubernetes-models (+ KEDA and prometheus-operator models).
// Those packages are ES modules only, which Jest's CommonJS runtime cannot require, so the
// specs run this script in a child process: a JSON array of objects on stdin, a JSON array
// of results on stdout: {index, kind, name, status: "valid" | "invalid" | "no-model", error?}.
import { readFileSync } from 'node:fs';

/** The module that holds the model class for an apiVersion, or undefined when none ships. */
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === 'monitoring.coreos.com') {
    return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`;
  }
  if (group.endsWith('.k8s.io') || ['apps', 'batch', 'policy', 'autoscaling'].includes(group)) {
    return `kubernetes-models/${group}/${version}`;
  }
  return undefined;
}

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const [index, object] of objects.entries()) {
  const base = { index, kind: object?.kind, name: object?.metadata?.name };
  const module = object?.apiVersion && modelModule(object.apiVersion);
  if (!module) {
    results.push({ ...base, status: 'no-model', error: `no model for ${object?.apiVersion}` });
    continue;
  }
  let Model;
  try {
    Model = (await import(`${module}/${object.kind}`))[object.kind];
  } catch (err) {
    results.push({ ...base, status: 'no-model', error: `${module}/${object.kind}: ${err.message}` });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ ...base, status: 'valid' });
  } catch (err) {
    results.push({ ...base, status: 'invalid', error: err.message });
  }
}
process.stdout.write(JSON.stringify(results));
