import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MedicError } from '../../src/errors.js';
import { loadSnapshot } from '../../src/sandbox/index.js';
import { scenarioCluster, scenarioNames } from '../support/sandbox.js';

function thrown(fn: () => unknown): MedicError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MedicError) return error;
    throw error;
  }
  throw new Error('expected a MedicError');
}

describe('loadSnapshot', () => {
  it.each(scenarioNames())('loads every item of the %s scenario', (name) => {
    const text = readFileSync(scenarioCluster(name), 'utf8');
    const objects = loadSnapshot(text, name);
    const itemCount = (parse(text) as { items: unknown[] }).items.length;
    expect(objects.length).toBe(itemCount);
    expect(objects.every((o) => o.apiVersion && o.kind && o.metadata.name)).toBe(true);
  });

  it('reads multi-document YAML, lists among documents, and JSON', () => {
    const yaml = [
      'apiVersion: v1\nkind: Node\nmetadata: {name: n1}',
      'apiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p1, namespace: a}}',
      '',
    ].join('\n---\n');
    expect(loadSnapshot(yaml, 'x.yaml').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Node/n1', 'Pod/p1']);
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }],
    });
    expect(loadSnapshot(json, 'x.json')[0]?.kind).toBe('Namespace');
  });

  it('keeps PodLogs, PodMetrics and unknown kinds', () => {
    const objects = loadSnapshot(
      `apiVersion: v1
kind: List
items:
- {apiVersion: sandbox.medic.dev/v1, kind: PodLogs, metadata: {name: p, namespace: a}, containers: {app: "hi\\n"}}
- {apiVersion: metrics.k8s.io/v1beta1, kind: PodMetrics, metadata: {name: p, namespace: a}, containers: [{name: app, usage: {cpu: 1m, memory: 1Mi}}]}
- {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {size: 3}}
`,
      'mixed',
    );
    expect(objects.map((o) => o.kind)).toEqual(['PodLogs', 'PodMetrics', 'Widget']);
  });

  it('names the document, item and field of a malformed item', () => {
    const error = thrown(() =>
      loadSnapshot(
        'apiVersion: v1\nkind: Node\nmetadata: {name: n}\n---\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod, metadata: {namespace: x}}\n',
        'bad.yaml',
      ),
    );
    expect(error.message).toBe(
      'bad.yaml: document 1, item 1: metadata.name: Invalid input: expected string, received undefined',
    );
    expect(error.field).toBe('metadata.name');
  });

  it('rejects a PodLogs item whose log text is not a string', () => {
    const error = thrown(() =>
      loadSnapshot(
        'apiVersion: sandbox.medic.dev/v1\nkind: PodLogs\nmetadata: {name: p, namespace: a}\ncontainers: {app: [1]}\n',
        'logs.yaml',
      ),
    );
    expect(error.message).toMatch(/^logs\.yaml: document 0: containers\.app: /);
  });

  it('reports YAML syntax errors with the document and line', () => {
    const error = thrown(() => loadSnapshot('apiVersion: v1\nkind: Node\nmetadata: {name: n\n', 'broken.yaml'));
    expect(error.message).toMatch(/^broken\.yaml: document 0 \(line \d+\): /);
  });

  it('rejects a list whose items are not an array', () => {
    expect(thrown(() => loadSnapshot('kind: List\nitems: {a: 1}\n', 'l.yaml')).message).toBe(
      'l.yaml: document 0: items: must be an array',
    );
  });
});
