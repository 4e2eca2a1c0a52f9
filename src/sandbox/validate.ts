/** Basic validation of written objects, giving 422 Invalid causes with the API server's field paths and wording. */

import { parseQuantity } from '../quantity.js';
import type { KubeObject } from './object.js';
import { isRecord } from './object.js';
import type { StatusCause } from './status.js';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

type Causes = StatusCause[];

function required(causes: Causes, field: string): void {
  causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
}

function invalidValue(causes: Causes, field: string, value: unknown, why: string): void {
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: ${why}` });
}

/** Where the pod spec of each workload kind lives. */
const POD_SPEC_PATH: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const REPLICATED = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

function at(object: unknown, path: string[]): unknown {
  let value = object;
  for (const part of path) value = isRecord(value) ? value[part] : undefined;
  return value;
}

function validateResources(causes: Causes, field: string, resources: unknown): void {
  if (resources === undefined) return;
  if (!isRecord(resources)) {
    invalidValue(causes, field, resources, 'must be an object');
    return;
  }
  const limits = isRecord(resources.limits) ? resources.limits : {};
  const requests = isRecord(resources.requests) ? resources.requests : {};
  for (const [group, values] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, value] of Object.entries(values)) {
      const parsed = parseQuantity(value);
      if (parsed === null)
        invalidValue(
          causes,
          `${field}.${group}[${name}]`,
          value,
          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        );
      else if (parsed < 0)
        invalidValue(causes, `${field}.${group}[${name}]`, value, 'must be greater than or equal to 0');
    }
  }
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    const r = parseQuantity(request);
    const l = parseQuantity(limit);
    if (r !== null && l !== null && r > l) {
      invalidValue(
        causes,
        `${field}.requests`,
        request,
        `must be less than or equal to ${name} limit of ${String(limit)}`,
      );
    }
  }
}

function validatePodSpec(causes: Causes, base: string, spec: unknown): void {
  if (!isRecord(spec)) {
    required(causes, base);
    return;
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && !(Number.isInteger(grace) && (grace as number) >= 0)) {
    invalidValue(causes, `${base}.terminationGracePeriodSeconds`, grace, 'must be greater than or equal to 0');
  }
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = spec[list];
    if (containers === undefined && list === 'initContainers') continue;
    if (!Array.isArray(containers) || (list === 'containers' && containers.length === 0)) {
      required(causes, `${base}.${list}`);
      continue;
    }
    const seen = new Set<unknown>();
    for (const [i, c] of containers.entries()) {
      const field = `${base}.${list}[${i}]`;
      if (!isRecord(c)) {
        invalidValue(causes, field, c, 'must be an object');
        continue;
      }
      if (typeof c.name !== 'string' || !c.name) required(causes, `${field}.name`);
      else if (seen.has(c.name))
        causes.push({ reason: 'FieldValueDuplicate', field: `${field}.name`, message: `Duplicate value: "${c.name}"` });
      seen.add(c.name);
      if (typeof c.image !== 'string' || !c.image) required(causes, `${field}.image`);
      validateResources(causes, `${field}.resources`, c.resources);
    }
  }
}

function validateMetadata(causes: Causes, object: KubeObject): void {
  const { name, labels } = object.metadata;
  if (typeof name !== 'string' || !name) required(causes, 'metadata.name');
  else if (name.length > 253 || !NAME.test(name)) {
    invalidValue(
      causes,
      'metadata.name',
      name,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      invalidValue(
        causes,
        `metadata.labels`,
        value,
        `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.' (key ${key})`,
      );
    }
  }
}

function matchLabels(object: KubeObject): Record<string, unknown> | undefined {
  const labels = at(object, ['spec', 'selector', 'matchLabels']);
  return isRecord(labels) ? labels : undefined;
}

/** The API server's HorizontalPodAutoscaler bounds (pkg/apis/autoscaling/validation). */
function validateHpaBounds(causes: Causes, object: KubeObject): void {
  const min = at(object, ['spec', 'minReplicas']);
  const max = at(object, ['spec', 'maxReplicas']);
  if (min !== undefined && !(Number.isInteger(min) && (min as number) >= 1)) {
    invalidValue(causes, 'spec.minReplicas', min, 'must be greater than or equal to 1');
  }
  if (!Number.isInteger(max)) required(causes, 'spec.maxReplicas');
  else if ((max as number) < 1) invalidValue(causes, 'spec.maxReplicas', max, 'must be greater than 0');
  if (Number.isInteger(min) && Number.isInteger(max) && (max as number) < (min as number)) {
    invalidValue(causes, 'spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`');
  }
}

/** Problems with `object` (and, for an update, with changes from `previous`); empty when it is valid. */
export function validateObject(object: KubeObject, previous?: KubeObject): StatusCause[] {
  const causes: Causes = [];
  validateMetadata(causes, object);
  const podPath = POD_SPEC_PATH[object.kind];
  if (podPath) validatePodSpec(causes, podPath.join('.'), at(object, podPath));
  if (object.kind === 'HorizontalPodAutoscaler') validateHpaBounds(causes, object);
  if (REPLICATED.has(object.kind)) {
    const replicas = at(object, ['spec', 'replicas']);
    if (replicas !== undefined && !(Number.isInteger(replicas) && (replicas as number) >= 0)) {
      invalidValue(causes, 'spec.replicas', replicas, 'must be greater than or equal to 0');
    }
    const selector = matchLabels(object);
    const templateLabels = at(object, ['spec', 'template', 'metadata', 'labels']);
    if (!selector) required(causes, 'spec.selector');
    else if (!Object.entries(selector).every(([k, v]) => isRecord(templateLabels) && templateLabels[k] === v)) {
      invalidValue(
        causes,
        'spec.template.metadata.labels',
        templateLabels ?? {},
        '`selector` does not match template `labels`',
      );
    }
    if (previous && JSON.stringify(matchLabels(previous)) !== JSON.stringify(selector)) {
      invalidValue(causes, 'spec.selector', at(object, ['spec', 'selector']), 'field is immutable');
    }
  }
  return causes;
}
