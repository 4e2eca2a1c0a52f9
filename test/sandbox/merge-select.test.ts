import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../src/quantity.js';
import { loadSnapshot } from '../../src/sandbox/index.js';
import { mergePatch } from '../../src/sandbox/patch.js';
import { fieldMatcher, labelMatcher } from '../../src/sandbox/selectors.js';
import { strategicMerge } from '../../src/sandbox/strategic-merge.js';
import { validateObject } from '../../src/sandbox/validate.js';
import { scenarioCluster, scenarioNames } from '../support/sandbox.js';

const podSpec = {
  containers: [
    { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80, name: 'http' }] },
    { name: 'sidecar', image: 'consul:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
  ],
  volumes: [{ name: 'data', emptyDir: {} }],
  tolerations: [{ key: 'a', operator: 'Exists' }],
};

describe('strategic merge patch', () => {
  it('merges containers, env, ports and volumeMounts by their merge keys', () => {
    const patched = strategicMerge(podSpec, {
      containers: [
        {
          name: 'sidecar',
          resources: { limits: { memory: '500Mi' } },
          volumeMounts: [{ mountPath: '/data', readOnly: true }],
        },
        { name: 'app', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }] },
      ],
    }) as typeof podSpec;
    expect(patched.containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
    expect(patched.containers[0]?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(patched.containers[0]?.ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
    expect(patched.containers[1]).toMatchObject({
      image: 'consul:1',
      resources: { limits: { memory: '500Mi' } },
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
    });
    expect(podSpec.containers[1]).not.toHaveProperty('resources');
  });

  it('replaces lists without a merge key and deletes fields set to null', () => {
    const patched = strategicMerge(podSpec, {
      tolerations: [{ key: 'b', operator: 'Exists' }],
      volumes: null,
    }) as Record<string, unknown>;
    expect(patched.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(patched).not.toHaveProperty('volumes');
  });

  it('understands $patch delete and replace, $setElementOrder and $deleteFromPrimitiveList', () => {
    const deleted = strategicMerge(podSpec, { containers: [{ name: 'sidecar', $patch: 'delete' }] }) as typeof podSpec;
    expect(deleted.containers.map((c) => c.name)).toEqual(['app']);
    const replaced = strategicMerge(podSpec, {
      containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }],
    }) as typeof podSpec;
    expect(replaced.containers).toEqual([{ name: 'only', image: 'x' }]);
    const ordered = strategicMerge(podSpec, {
      '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
    }) as typeof podSpec;
    expect(ordered.containers.map((c) => c.name)).toEqual(['sidecar', 'app']);
    const mapReplaced = strategicMerge({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', z: 3 } });
    expect(mapReplaced).toEqual({ a: { z: 3 } });
    const finalizers = strategicMerge(
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] } },
    );
    expect(finalizers).toEqual({ metadata: { finalizers: ['b', 'c'] } });
  });

  it('merges Service ports by port and node conditions by type', () => {
    const service = strategicMerge(
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      { spec: { ports: [{ port: 80, name: 'http' }, { port: 443 }] } },
    );
    expect(service).toEqual({ spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }, { port: 443 }] } });
    const node = strategicMerge(
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
    );
    expect(node).toEqual({ status: { conditions: [{ type: 'Ready', status: 'False' }] } });
  });
});

describe('JSON merge patch', () => {
  it('replaces lists, merges objects and deletes nulls (RFC 7386)', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3] })).toEqual({
      a: { b: 1, d: 3 },
      l: [3],
    });
  });
});

describe('selectors', () => {
  const object = (labels: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels },
  });

  it('matches every label selector operator', () => {
    const cases: [string, Record<string, string>, boolean][] = [
      ['app=a', { app: 'a' }, true],
      ['app==a', { app: 'b' }, false],
      ['app!=a', {}, true],
      ['app in (a, b),tier', { app: 'b', tier: 'x' }, true],
      ['app notin (a,b)', { app: 'c' }, true],
      ['!canary', { canary: 'true' }, false],
      ['example.com/role=web', { 'example.com/role': 'web' }, true],
      ['rank>3', { rank: '5' }, true],
    ];
    for (const [selector, labels, expected] of cases)
      expect(labelMatcher(selector)?.(object(labels)), selector).toBe(expected);
    expect(labelMatcher('')).toBeNull();
  });

  it('rejects malformed label selectors with a 400', () => {
    for (const bad of ['app in a', 'app=(x', '=a', 'app in (a', 'a b']) {
      expect(() => labelMatcher(bad), bad).toThrow(/unable to parse requirement/);
    }
  });

  it('matches field selectors with defaults and escapes', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n,1' }, spec: {} };
    expect(fieldMatcher('spec.unschedulable=false', 'Node')?.(node)).toBe(true);
    expect(fieldMatcher('metadata.name=n\\,1', 'Node')?.(node)).toBe(true);
    expect(fieldMatcher('metadata.name!=n\\,1', 'Node')?.(node)).toBe(false);
    expect(() => fieldMatcher('status.phase=Running', 'Node')).toThrow('field label not supported: status.phase');
  });
});

describe('quantities', () => {
  it('parses binary, decimal, milli and exponent forms', () => {
    expect(parseQuantity('256Mi')).toBe(256 * 2 ** 20);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('12abc')).toBeNull();
  });
});

describe('scenario workloads', () => {
  it.each(scenarioNames())(
    'the %s scenario passes the sandbox validation, so writes to it are judged on their own',
    (name) => {
      const objects = loadSnapshot(readFileSync(scenarioCluster(name), 'utf8'), name);
      const problems = objects
        .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Node'].includes(o.kind))
        .flatMap((o) => validateObject(o).map((c) => `${o.kind}/${o.metadata.name}: ${c.field}: ${c.message}`));
      expect(problems).toEqual([]);
    },
  );
});
