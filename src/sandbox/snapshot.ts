/**
 * Snapshot files: a Kubernetes `List`, several YAML documents, or JSON, exactly as `kubectl get ... -A -o yaml`
 * prints them, plus `PodMetrics`/`NodeMetrics` and `sandbox.medic.dev/v1 PodLogs` items.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { MedicError } from '../errors.js';
import { firstIssue } from '../zod-issue.js';
import type { KubeObject } from './object.js';

const objectSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
});

const podLogsSchema = z.looseObject({
  metadata: z.looseObject({ namespace: z.string().min(1) }),
  containers: z.record(z.string(), z.string()).optional(),
  previous: z.record(z.string(), z.string()).optional(),
});

const metricsSchema = z.looseObject({
  containers: z.array(z.looseObject({ name: z.string().min(1), usage: z.record(z.string(), z.string()) })).optional(),
  usage: z.record(z.string(), z.string()).optional(),
});

function check(schema: z.ZodType, value: unknown, where: string, source: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const { field, message } = firstIssue(result.error, { whole: '(item)' });
  throw new MedicError('BAD_REQUEST', `${source}: ${where}: ${field}: ${message}`, {
    field,
    permanent: true,
  });
}

function validateItem(item: unknown, where: string, source: string): KubeObject {
  check(objectSchema, item, where, source);
  const object = item as KubeObject;
  if (object.kind === 'PodLogs') check(podLogsSchema, item, where, source);
  if (object.kind === 'PodMetrics' || object.kind === 'NodeMetrics') check(metricsSchema, item, where, source);
  return object;
}

function isList(value: unknown): value is { items: unknown } {
  return typeof value === 'object' && value !== null && 'kind' in value && /List$/.test(String(value.kind));
}

/**
 * Parses a snapshot into its objects, in file order. Lists are flattened.
 * @throws MedicError naming the source, the document/item index and the field for a malformed file.
 */
export function loadSnapshot(text: string, source: string): KubeObject[] {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  const objects: KubeObject[] = [];
  list.forEach((doc, d) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      const at = line === undefined ? '' : ` (line ${line})`;
      const message = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
      throw new MedicError('BAD_REQUEST', `${source}: document ${d}${at}: ${message}`, {
        permanent: true,
      });
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isList(value)) {
      objects.push(validateItem(value, `document ${d}`, source));
      return;
    }
    if (!Array.isArray(value.items)) {
      throw new MedicError('BAD_REQUEST', `${source}: document ${d}: items: must be an array`, {
        field: 'items',
        permanent: true,
      });
    }
    value.items.forEach((item, i) => {
      objects.push(validateItem(item, `document ${d}, item ${i}`, source));
    });
  });
  return objects;
}
