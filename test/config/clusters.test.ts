import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectClusters } from '../../src/clusters/connect.js';
import { loadConfig } from '../../src/config/load.js';
import { configError } from '../support/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'medic-clusters-'));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A kubeconfig with one context per name, each pointing at a plain-HTTP server. */
function kubeconfig(name: string, contexts: string[]): string {
  return write(
    name,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((c, i) => ({ name: c, cluster: { server: `http://127.0.0.1:${7000 + i}` } })),
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: 'u' } })),
      'current-context': contexts[0],
    }),
  );
}

const load = (yaml: string, env: Record<string, string> = {}) =>
  loadConfig({ ...env, MEDIC_CONFIG: write(`medic-${Math.random().toString(36).slice(2)}.yaml`, yaml) });

describe('medic.yaml clusters', () => {
  it('reads clusters, clusterLabel (default "cluster") and defaultCluster', () => {
    const file = kubeconfig('two.yaml', ['prod-eu', 'staging']);
    const config = load(
      `defaultCluster: prod-eu\nclusters:\n  - {name: prod-eu, context: prod-eu, approvers: [U0PRODA], remediation: {namespaces: ["shop-*"]}}\n  - {name: staging, kubeconfig: ${file}}\n`,
    );
    expect(config.settings.clusterLabel).toBe('cluster');
    expect(config.settings.defaultCluster).toBe('prod-eu');
    expect(config.settings.clusters?.map((c) => c.name)).toEqual(['prod-eu', 'staging']);
    expect(config.settings.clusters?.[0]?.remediation).toEqual({ namespaces: ['shop-*'] });
  });

  it('without clusters, nothing changes: no cluster settings and the one cluster from the environment', () => {
    const config = loadConfig({});
    expect(config.settings.clusters).toBeUndefined();
    expect(config.settings.defaultCluster).toBeUndefined();
  });

  it.each([
    [
      'a name listed twice',
      'clusters:\n  - {name: prod, context: a}\n  - {name: prod, context: b}\n',
      'clusters[1].name',
      /"clusters\[1\]\.name" prod is listed twice; give each cluster its own name\.$/,
    ],
    [
      'a defaultCluster that is not listed',
      'defaultCluster: qa\nclusters:\n  - {name: prod, context: a}\n',
      'defaultCluster',
      /"defaultCluster" qa is not one of the clusters \(prod\); name one of them\.$/,
    ],
    [
      'a defaultCluster without clusters',
      'defaultCluster: prod\n',
      'defaultCluster',
      /"defaultCluster" is prod but no "clusters" are listed/,
    ],
    [
      'a kubeconfig file that does not exist',
      'clusters:\n  - {name: prod, kubeconfig: /nonexistent/prod.yaml}\n',
      'clusters[0].kubeconfig',
      /"clusters\[0\]\.kubeconfig" \/nonexistent\/prod\.yaml does not exist; fix the path or mount the file\.$/,
    ],
    [
      'two ways to reach one cluster',
      'clusters:\n  - {name: prod, context: a, inCluster: true}\n',
      'clusters[0]',
      /give one of context, kubeconfig or inCluster, not several/,
    ],
    [
      'two clusters Medic would run in',
      'clusters:\n  - {name: a, inCluster: true}\n  - {name: b, inCluster: true}\n',
      'clusters',
      /clusters a and b both say inCluster/,
    ],
    [
      'a channels rule for a cluster that is not listed',
      'clusters:\n  - {name: prod, context: a}\nchannels:\n  - {match: {cluster: qa}, channel: C1}\n',
      'channels[0].match.cluster',
      /"channels\[0\]" matches cluster qa, which is not one of the clusters \(prod\)\.$/,
    ],
    [
      'a name that cannot be a label value in keys and headers',
      'clusters:\n  - {name: "prod eu", context: a}\n',
      'clusters[0].name',
      /must be letters, digits/,
    ],
    ['a misspelt key in a cluster', 'clusters:\n  - {name: prod, contxt: a}\n', 'clusters[0]', /contxt/],
  ])('refuses %s in one sentence naming the setting', (_what, yaml, field, message) => {
    const error = configError(() => load(yaml));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('refuses MEDIC_KUBE_SERVER beside clusters instead of silently ignoring one of them', () => {
    const error = configError(() =>
      load('clusters:\n  - {name: prod, context: a}\n', { MEDIC_KUBE_SERVER: 'http://127.0.0.1:8001' }),
    );
    expect(error.field).toBe('MEDIC_KUBE_SERVER');
    expect(error.message).toMatch(
      /^MEDIC_KUBE_SERVER names one cluster but .* lists "clusters"; unset MEDIC_KUBE_SERVER/,
    );
  });

  it('a context that is not in the kubeconfig stops start-up naming the setting and the contexts there are', () => {
    const file = kubeconfig('contexts.yaml', ['prod-eu', 'staging']);
    const config = load('clusters:\n  - {name: prod-eu, context: prod-eu}\n  - {name: qa, context: qa}\n', {
      KUBECONFIG: file,
    });
    const error = configError(() => connectClusters(config, {}, () => null));
    expect(error.field).toBe('clusters[1].context');
    expect(error.message).toBe(
      `medic.yaml "clusters[1].context": context qa is not in the kubeconfig (${file}; its contexts: prod-eu, staging); name one of them, or give the cluster a kubeconfig file.`,
    );
  });

  it('connects each cluster to its own context or file, the context defaulting to the cluster name', () => {
    const file = kubeconfig('contexts2.yaml', ['prod-eu', 'staging']);
    const other = kubeconfig('other.yaml', ['remote']);
    const config = load(
      `clusters:\n  - {name: prod-eu}\n  - {name: stage, context: staging}\n  - {name: remote, kubeconfig: ${other}}\n`,
      { KUBECONFIG: file },
    );
    const links = connectClusters(config, {}, () => null);
    expect(links.map((l) => [l.name, l.kube?.server])).toEqual([
      ['prod-eu', 'http://127.0.0.1:7000'],
      ['stage', 'http://127.0.0.1:7001'],
      ['remote', 'http://127.0.0.1:7000'],
    ]);
  });
});
