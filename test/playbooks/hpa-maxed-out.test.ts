/**
 * HPA_MAXED_OUT through the real client against the sandbox: the search-api peak of
 * test/scenarios/hpa-at-max-service-latency-node-room, with the HPA and nodes changed per case.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { settingsSchema } from '../../src/config/settings.js';
import { createPlaybookEngine } from '../../src/diagnosis/engine.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createLogger } from '../../src/logger.js';
import { loadSnapshot, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import type { Diagnosis } from '../../src/types.js';

const DIR = 'test/scenarios/hpa-at-max-service-latency-node-room';
type Any = Record<string, any>;

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** Diagnoses `labels` (default: the scenario's Service latency alert) after `change` edited the snapshot. */
async function diagnose(
  change: (objects: Any[]) => void = () => {},
  options: { labels?: Record<string, string>; settings?: Record<string, unknown> } = {},
): Promise<Diagnosis> {
  const objects = loadSnapshot(readFileSync(`${DIR}/cluster.yaml`, 'utf8'), DIR) as Any[];
  change(objects);
  sandbox = await startSandbox({ objects: objects as never });
  const body = JSON.parse(readFileSync(`${DIR}/alert.json`, 'utf8'));
  if (options.labels) body.alerts[0].labels = options.labels;
  const [event] = toAlertEvents(webhookPayloadSchema.parse(body), Date.now());
  const engine = createPlaybookEngine({
    reader: createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 }),
    settings: settingsSchema.parse(options.settings ?? {}),
    logger: createLogger('silent'),
  });
  if (!event) throw new Error('no alert');
  return engine.diagnose(event, AbortSignal.timeout(20_000));
}

const hpaOf = (objects: Any[]) => objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as Any;
const text = (d: Diagnosis) => [d.rootCause.summary, ...d.evidence.map((e) => e.text)].join('\n');
const kinds = (d: Diagnosis) => d.actions.map((a) => a.kind);
const hpaAlert = {
  alertname: 'KubeHpaMaxedOut',
  horizontalpodautoscaler: 'search-api',
  job: 'kube-state-metrics',
  namespace: 'search',
  severity: 'warning',
};

describe('hpa-maxed-out', () => {
  it('raises the maximum as far as the load asks and the nodes allow', async () => {
    const d = await diagnose();
    expect(d.rootCause).toMatchObject({ code: 'HPA_MAXED_OUT', confidence: 'high' });
    // 8 × 83/50 asks for 14 replicas; the four nodes fit one more pod each.
    expect(d.actions).toEqual([
      expect.objectContaining({
        kind: 'set-hpa-max',
        params: { namespace: 'search', hpa: 'search-api', maxReplicas: 12 },
      }),
    ]);
    expect(text(d)).toMatch(/wants about 14 replicas/);
    expect(d.partial).toBe(false);
  });

  it('offers nothing above medic.yaml scale.max, and says that is why', async () => {
    const d = await diagnose(undefined, { settings: { scale: { max: 8 } } });
    expect(d.rootCause.code).toBe('HPA_MAXED_OUT');
    expect(kinds(d)).toEqual([]);
    expect(d.rootCause.summary).toMatch(/already at medic\.yaml scale\.max \(8\)/);
  });

  it('at its maximum with the metric back under target: coping, nothing to raise', async () => {
    const change = (objects: Any[]) => {
      const status = hpaOf(objects).status;
      status.currentMetrics[0].resource.current.averageValue = '610m';
      status.currentMetrics[1].pods.current.averageValue = '41';
      status.conditions[2] = {
        type: 'ScalingLimited',
        status: 'False',
        reason: 'DesiredWithinRange',
        message: 'the desired count is within the acceptable range',
      };
    };
    const aboutService = await diagnose(change);
    expect(aboutService.rootCause.code).not.toBe('HPA_MAXED_OUT');
    expect(kinds(aboutService)).not.toContain('set-hpa-max');
    const aboutHpa = await diagnose(change, { labels: hpaAlert });
    expect(aboutHpa.rootCause).toMatchObject({ code: 'HPA_MAXED_OUT', confidence: 'low' });
    expect(aboutHpa.rootCause.summary).toMatch(/coping at the ceiling/);
    expect(kinds(aboutHpa)).toEqual([]);
  });

  it('never offers set-hpa-max below the maximum, even with the metric far above target', async () => {
    const d = await diagnose((objects) => {
      hpaOf(objects).spec.maxReplicas = 20;
    });
    expect(d.rootCause.code).not.toBe('HPA_MAXED_OUT');
    expect(kinds(d)).not.toContain('set-hpa-max');
  });

  it('a metric value that is not a number: partial, named, and the controller’s TooManyReplicas still counts', async () => {
    const d = await diagnose(
      (objects) => {
        const status = hpaOf(objects).status;
        status.currentMetrics[0].resource.current.averageValue = 'lots';
        status.currentMetrics.pop();
      },
      { labels: hpaAlert },
    );
    expect(d.rootCause.code).toBe('HPA_MAXED_OUT');
    expect(d.partial).toBe(true);
    expect(text(d)).toMatch(/the current averageValue lots of cpu is not a number/);
    expect(text(d)).toMatch(/no current averageValue for pods metric http_requests_per_second/);
    // No number to size it by: +50 % (12), within the room for 4 more.
    expect(d.actions[0]?.params).toEqual({ namespace: 'search', hpa: 'search-api', maxReplicas: 12 });
  });

  it('a full cluster managed by Karpenter: offered, saying new pods wait for nodes', async () => {
    const d = await diagnose((objects) => {
      for (const node of objects.filter((o) => o.kind === 'Node')) {
        node.status.allocatable.cpu = '2000m';
        node.metadata.labels['karpenter.sh/nodepool'] = 'default';
      }
    });
    expect(text(d)).toMatch(/0 fit on 4 of 4 node\(s\)/);
    expect(d.rootCause.summary).toMatch(/Karpenter .* Pending until it adds nodes/);
    expect(d.actions[0]).toMatchObject({ kind: 'set-hpa-max', risk: 'medium', params: { maxReplicas: 14 } });
  });

  it('when the nodes cannot be read: partial, room unchecked, the change still offered at medium risk', async () => {
    const objects = loadSnapshot(readFileSync(`${DIR}/cluster.yaml`, 'utf8'), DIR);
    sandbox = await startSandbox({ objects });
    sandbox.setFaults([{ path: '^/api/v1/nodes$', status: 500 }]);
    const [event] = toAlertEvents(webhookPayloadSchema.parse(JSON.parse(readFileSync(`${DIR}/alert.json`, 'utf8'))), 0);
    const engine = createPlaybookEngine({
      reader: createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 }),
      settings: settingsSchema.parse({}),
      logger: createLogger('silent'),
    });
    if (!event) throw new Error('no alert');
    const d = await engine.diagnose(event, AbortSignal.timeout(20_000));
    expect(d.rootCause.code).toBe('HPA_MAXED_OUT');
    expect(d.partial).toBe(true);
    expect(text(d)).toMatch(/Node room for more pods could not be checked/);
    expect(d.actions[0]).toMatchObject({ kind: 'set-hpa-max', risk: 'medium', params: { maxReplicas: 14 } });
  });
});
