/** The engine through the real client and sandbox: failed or hung queries give a partial diagnosis, never a crash. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYBOOKS } from '../../playbooks/index.js';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { settingsSchema } from '../../src/config/settings.js';
import { createPlaybookEngine } from '../../src/diagnosis/engine.js';
import { resolveScaleTarget } from '../../src/diagnosis/scale-target.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { type ClusterReader, createClusterReader } from '../../src/kube/reader.js';
import { createLogger } from '../../src/logger.js';
import { type DiagnoseKind, manualAlertEvent } from '../../src/pipeline/diagnose-request.js';
import { loadSnapshot, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import type { DiagnosisEngine } from '../../src/types.js';

const DIR = 'test/scenarios/oom-explains-crashloop';
const EXTRA = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'indexer', namespace: 'search' },
    spec: { selector: { app: 'indexer' } },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'all', namespace: 'search' },
    spec: { selector: { tier: 'x' } },
  },
  ...['a', 'b'].map((n) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `db-${n}`, namespace: 'search' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { db: n } },
      template: { metadata: { labels: { db: n, tier: 'x' } }, spec: { containers: [{ name: 'db', image: 'db' }] } },
    },
  })),
  ...['a', 'b'].map((n) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `db-${n}-0`,
      namespace: 'search',
      labels: { db: n, tier: 'x' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: `db-${n}`, uid: n, controller: true }],
    },
    spec: { containers: [{ name: 'db', image: 'db' }] },
  })),
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'indexer', namespace: 'search' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'indexer' },
      minReplicas: 2,
      maxReplicas: 6,
    },
  },
];

let sandbox: Sandbox;
let reader: ClusterReader;
let engine: DiagnosisEngine;
const event = () =>
  toAlertEvents(webhookPayloadSchema.parse(JSON.parse(readFileSync(`${DIR}/alert.json`, 'utf8'))), 0)[0]!;

beforeAll(async () => {
  sandbox = await startSandbox({
    objects: [...loadSnapshot(readFileSync(`${DIR}/cluster.yaml`, 'utf8'), DIR), ...EXTRA],
  });
  reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url }), { timeoutMs: 2000 }), {
    cacheTtlMs: 0,
  });
  engine = createPlaybookEngine({
    playbooks: PLAYBOOKS,
    reader,
    settings: settingsSchema.parse({}),
    logger: createLogger('silent'),
    timeoutMs: 1500,
  });
});
afterAll(() => sandbox.close());

describe('playbook engine', () => {
  it('still diagnoses when one query fails, saying so and marking the diagnosis partial', async () => {
    sandbox.setFaults([{ path: '/apis/metrics.k8s.io/', status: 500 }]);
    try {
      const d = await engine.diagnose(event(), AbortSignal.timeout(10_000));
      expect(d.rootCause.code).toBe('OOM_LIMIT');
      expect(d.partial).toBe(true);
      expect(d.evidence.some((e) => /Cluster query failed.*metrics.*HTTP 500/.test(e.text))).toBe(true);
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('answers within its time bound when the API server hangs', async () => {
    sandbox.setFaults([{ hang: true, maxHangMs: 10_000 }]);
    try {
      const started = Date.now();
      const d = await engine.diagnose(event(), AbortSignal.timeout(10_000));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(d.partial).toBe(true);
      expect(d.rootCause.code).toBe('UNKNOWN');
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('diagnoses a Deployment named directly, as /medic diagnose does', async () => {
    const request = { requestId: 'd1', channelId: 'C1', userId: 'U1', requestedAt: Date.now() };
    const signal = new AbortController().signal;
    const named = (kind: DiagnoseKind, name: string) =>
      engine.diagnose(manualAlertEvent({ ...request, kind, namespace: 'search', name }), signal);
    const d = await named('Deployment', 'indexer');
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.actions[0]?.params).toMatchObject({
      workload: 'Deployment/indexer',
      container: 'indexer',
      limit: '1536Mi',
    });
    const gone = await named('Pod', 'nope');
    expect(gone.rootCause.code).toBe('TARGET_NOT_FOUND');
  });
});

describe('resolveScaleTarget', () => {
  it('resolves a Deployment with its HPA, a Service to its one workload, and asks when a Service is ambiguous', async () => {
    const r = reader.scoped();
    const hpa = { name: 'indexer', minReplicas: 2, maxReplicas: 6 };
    expect(await resolveScaleTarget(r, 'search', 'indexer')).toEqual({
      kind: 'Deployment',
      name: 'indexer',
      replicas: 2,
      hpa,
    });
    expect(await resolveScaleTarget(r, 'search', 'db-a')).toEqual({ kind: 'StatefulSet', name: 'db-a', replicas: 1 });
    expect(await resolveScaleTarget(r, 'search', 'all')).toEqual({
      ambiguous: ['StatefulSet/db-a', 'StatefulSet/db-b'],
    });
    expect(await resolveScaleTarget(r, 'search', 'missing')).toBeNull();
  });
});
