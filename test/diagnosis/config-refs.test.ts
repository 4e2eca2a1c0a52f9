/** The kubelet's messages about a missing ConfigMap, Secret or key, and where a pod spec refers to it. */
import { describe, expect, it } from 'vitest';
import { parseMissingConfig, referencesTo } from '../../src/diagnosis/config-refs.js';
import type { PodSpec } from '../../src/kube/reader.js';

const spec: PodSpec = {
  containers: [
    {
      name: 'api',
      env: [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'FLAGS', valueFrom: { configMapKeyRef: { name: 'flags', key: 'FLAGS', optional: true } } },
      ],
      envFrom: [{ configMapRef: { name: 'api-env' } }],
      volumeMounts: [{ name: 'config', mountPath: '/etc/api' }],
    },
  ],
  volumes: [
    { name: 'config', configMap: { name: 'api-config', items: [{ key: 'app.yaml', path: 'app.yaml' }] } },
    { name: 'tls', projected: { sources: [{ secret: { name: 'api-tls' } }] } },
  ],
};

describe('missing ConfigMaps, Secrets and keys', () => {
  it.each([
    ['secret "db" not found', { kind: 'Secret', name: 'db' }],
    ['Error: configmap "api-env" not found', { kind: 'ConfigMap', name: 'api-env' }],
    ["couldn't find key password in Secret prod/db", { kind: 'Secret', name: 'db', key: 'password' }],
    [
      'MountVolume.SetUp failed for volume "config" : configmap "api-config" not found',
      { kind: 'ConfigMap', name: 'api-config', volume: 'config' },
    ],
    [
      'MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: app.yaml',
      { kind: 'ConfigMap', name: 'api-config', key: 'app.yaml', volume: 'config' },
    ],
  ])('%s', (message, expected) => {
    expect(parseMissingConfig(message, spec)).toMatchObject(expected);
  });

  it('ignores mount errors that are not about a missing object', () => {
    const transient =
      'MountVolume.SetUp failed for volume "config" : failed to sync configmap cache: timed out waiting for the condition';
    expect(parseMissingConfig(transient, spec)).toBeNull();
  });

  it('names every reference of the pod spec, and skips optional ones', () => {
    expect(referencesTo(spec, { kind: 'Secret', name: 'db', key: 'password' })).toEqual([
      'env DB_PASSWORD of container api (key password)',
    ]);
    expect(referencesTo(spec, { kind: 'ConfigMap', name: 'api-env' })).toEqual(['envFrom of container api']);
    expect(referencesTo(spec, { kind: 'ConfigMap', name: 'api-config' })).toEqual([
      'volume config mounted by api at /etc/api',
    ]);
    expect(referencesTo(spec, { kind: 'Secret', name: 'api-tls' })).toEqual(['volume tls']);
    expect(referencesTo(spec, { kind: 'ConfigMap', name: 'flags', key: 'FLAGS' })).toEqual([]);
  });
});
