/**
 * Target resolution through the real client and the sandbox: what the labels alone cannot decide (the node of a
 * node-exporter pod, whether a pod an alert names belongs to its workload), and the silence TARGET_NOT_FOUND
 * proposes for an alert that carries kube-state-metrics' own labels.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { settingsSchema } from '../../src/config/settings.js';
import { createPlaybookEngine } from '../../src/diagnosis/engine.js';
import { QueryFailures } from '../../src/diagnosis/playbook.js';
import { resolveTarget } from '../../src/diagnosis/target.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { type ClusterReader, createClusterReader } from '../../src/kube/reader.js';
import { createLogger } from '../../src/logger.js';
import { loadSnapshot, type Sandbox, startSandbox } from '../../src/sandbox/index.js';

/** kube-prometheus-stack's monitoring stack (kube-state-metrics, node-exporter on every node) and a shop. */
const NODE_DIR = 'test/scenarios/node-filesystem-node-exporter-labels';
const KSM_DIR = 'test/scenarios/container-waiting-ksm-scrape-labels';
const NODE_EXPORTER_POD = 'kube-prometheus-stack-prometheus-node-exporter-7mk2c';
const KSM_POD = 'kube-prometheus-stack-kube-state-metrics-6c9d7f8b4-x2kqp';

let sandbox: Sandbox;
let reader: ClusterReader;
const logger = createLogger('silent');

function eventOf(labels: Record<string, string>): AlertEvent {
  return {
    alert: {
      status: 'firing',
      labels,
      annotations: {},
      startsAt: '2026-11-12T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: '0123456789abcdef',
    },
    groupKey: '{}:{}',
    receiver: 'medic',
    externalURL: '',
    groupLabels: {},
    commonLabels: labels,
    receivedAt: 0,
  };
}

async function resolve(labels: Record<string, string>) {
  const failures = new QueryFailures(logger);
  const target = await resolveTarget(reader.scoped(), eventOf(labels), failures.read);
  expect(failures.partial).toBe(false);
  return target;
}

beforeAll(async () => {
  const objects = [NODE_DIR, KSM_DIR].flatMap((dir) =>
    loadSnapshot(readFileSync(`${dir}/cluster.yaml`, 'utf8'), dir).filter(
      (o) => dir === NODE_DIR || (o as { metadata?: { namespace?: string } }).metadata?.namespace === 'monitoring',
    ),
  );
  sandbox = await startSandbox({ objects });
  reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 });
});
afterAll(() => sandbox.close());

describe('resolveTarget', () => {
  it('finds the node of a node-exporter alert through the exporter pod on it, with that node’s pods', async () => {
    const target = await resolve({
      alertname: 'NodeMemoryHighUtilization',
      instance: '10.224.0.5:9100',
      job: 'node-exporter',
      namespace: 'monitoring',
      pod: NODE_EXPORTER_POD,
      service: 'kube-prometheus-stack-prometheus-node-exporter',
    });
    expect(target).toMatchObject({ kind: 'Node', name: 'aks-userpool-27463519-vmss000001', found: true });
    expect(target?.description).toBe('Node aks-userpool-27463519-vmss000001');
    expect(target?.pods.map((p) => p.metadata?.name)).toContain('cart-api-79fb5c8d46-jx4wt');
  });

  it('says the alert names nothing (not TARGET_NOT_FOUND) when the node-exporter pod it names is gone', async () => {
    const gone = 'kube-prometheus-stack-prometheus-node-exporter-zz9zz';
    expect(await resolve({ alertname: 'NodeClockNotSynchronising', namespace: 'monitoring', pod: gone })).toBeNull();
  });

  it('takes the pod a custom alert names only when it is a pod of the workload it also names', async () => {
    const labels = { alertname: 'CartErrors', namespace: 'checkout', deployment: 'cart-api' };
    const own = await resolve({ ...labels, pod: 'cart-api-79fb5c8d46-jx4wt', container: 'cart-api' });
    expect(own).toMatchObject({ kind: 'Pod', name: 'cart-api-79fb5c8d46-jx4wt', container: 'cart-api' });
    expect(own?.workload).toMatchObject({ kind: 'Deployment', name: 'cart-api' });
    const other = await resolve({ ...labels, pod: 'checkout-web-6c9d7b8f5d-2xdqm' });
    expect(other).toMatchObject({ kind: 'Deployment', name: 'cart-api', found: true });
    const missing = await resolve({ ...labels, pod: 'cart-api-79fb5c8d46-zzzzz' });
    expect(missing).toMatchObject({ kind: 'Deployment', name: 'cart-api', found: true });
  });

  it('never looks at kube-state-metrics when it rides on a workload alert, even where its pod exists', async () => {
    const target = await resolve({
      alertname: 'KubeDeploymentReplicasMismatch',
      container: 'kube-state-metrics',
      deployment: 'cart-api',
      namespace: 'checkout',
      pod: KSM_POD,
      service: 'kube-prometheus-stack-kube-state-metrics',
    });
    expect(target).toMatchObject({ kind: 'Deployment', name: 'cart-api', found: true });
    expect(target?.pods.map((p) => p.metadata?.name)).not.toContain(KSM_POD);
    expect(target?.container).toBeUndefined();
  });
});

describe('TARGET_NOT_FOUND for an alert with kube-state-metrics’ labels', () => {
  it('silences the alert by the labels that name the object, never by the exporter’s pod', async () => {
    const dir = 'test/scenarios/deleted-deployment-ksm-labels';
    const local = await startSandbox({ file: `${dir}/cluster.yaml` });
    try {
      const engine = createPlaybookEngine({
        reader: createClusterReader(createKubeApis(loadKubeConfig({ server: local.url }))),
        settings: settingsSchema.parse({}),
        logger,
      });
      const payload = webhookPayloadSchema.parse(JSON.parse(readFileSync(`${dir}/alert.json`, 'utf8')));
      const [event] = toAlertEvents(payload, 0);
      if (!event) throw new Error('no alert in the scenario');
      const d = await engine.diagnose(event, AbortSignal.timeout(10_000));
      expect(d.rootCause.code).toBe('TARGET_NOT_FOUND');
      expect(d.target).toEqual({ kind: 'Deployment', namespace: 'ingest', name: 'legacy-importer' });
      const silence = d.actions.find((a) => a.kind === 'silence');
      expect(silence?.params.matchers).toEqual([
        { name: 'alertname', value: 'KubeDeploymentReplicasMismatch', isRegex: false, isEqual: true },
        { name: 'namespace', value: 'ingest', isRegex: false, isEqual: true },
        { name: 'deployment', value: 'legacy-importer', isRegex: false, isEqual: true },
      ]);
      expect(silence?.title).toContain('legacy-importer');
      expect(JSON.stringify(d)).not.toContain('kube-state-metrics-6c9d7f8b4');
    } finally {
      await local.close();
    }
  });
});
