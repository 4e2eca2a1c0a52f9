/**
 * A storm that mixes two causes on one workload (issue 19): 300 KubeContainerWaiting alerts about ONE pod of
 * Deployment ads/ad-server, half about its app container (OOM-killed, crash looping) and half about its
 * log-shipper sidecar (ImagePullBackOff), each a distinct label set (as alerts from several Prometheus replicas
 * and re-evaluations are), through the real webhook, queue, playbooks (sandbox cluster) and Slack simulator.
 * Alerts about the same object share one diagnosis (two diagnoses answer the 300 alerts), and no alert is folded
 * into the other container's answer: every record, and each reply's metadata `fingerprints`, holds exactly the
 * alerts of its own cause (before ofNamedContainer, the sidecar's alerts were answered with the app's OOM kill).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackSimulator } from '../../src/slack-simulator/index.js';
import type { TestMedic } from '../support/medic.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';
import { startMedicWithSlack, waitForChange } from '../support/slack.js';
import { waitFor } from '../support/wait.js';

const DIR = join(import.meta.dirname, '../scenarios/two-causes-one-pod');
const ALERTS = 300;
const PER_PAYLOAD = 30;

interface Payload {
  alerts: { labels: Record<string, string>; fingerprint: string }[];
  [key: string]: unknown;
}

let cluster: TestCluster;
let medic: TestMedic;
let sim: SlackSimulator;
beforeAll(async () => {
  cluster = await startTestCluster({ file: join(DIR, 'cluster.yaml') });
  ({ medic, sim } = await startMedicWithSlack({ kube: cluster.apis, channel: 'CSTORM', approvers: ['UAPPROVER'] }));
});
afterAll(async () => {
  await medic?.close();
  await sim?.close();
  await cluster?.close();
});

describe('a storm mixing two causes on one workload', () => {
  it('shares the diagnosis work per container and answers every alert with its own container’s cause', async () => {
    const scenario = JSON.parse(readFileSync(join(DIR, 'alert.json'), 'utf8')) as Payload;
    const [app, sidecar] = scenario.alerts;
    if (!app || !sidecar) throw new Error('the scenario has two alerts');
    const expected = new Map<string, string>();
    const alerts = Array.from({ length: ALERTS }, (_, i) => {
      const base = i % 2 === 0 ? app : sidecar;
      const fingerprint = `${i.toString(16).padStart(12, '0')}${i % 2 === 0 ? 'aaaa' : 'bbbb'}`;
      expected.set(fingerprint, i % 2 === 0 ? 'OOM_LIMIT' : 'IMAGE_PULL_FAILURE');
      return { ...base, fingerprint, labels: { ...base.labels, prometheus_replica: `prometheus-k8s-${i}` } };
    });
    const before = cluster.sandbox.requests().total;
    const posts: Promise<Response>[] = [];
    for (let i = 0; i < ALERTS; i += PER_PAYLOAD) {
      posts.push(
        fetch(`${medic.url}/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...scenario, alerts: alerts.slice(i, i + PER_PAYLOAD) }),
        }),
      );
    }
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(Array(ALERTS / PER_PAYLOAD).fill(202));

    await waitFor(async () => (await medic.store.list()).filter((r) => r.kind === 'diagnosis').length >= ALERTS, {
      timeoutMs: 60_000,
      what: 'every alert diagnosed',
    });
    const records = (await medic.store.list()).filter((r) => r.kind === 'diagnosis');
    expect(records).toHaveLength(ALERTS);
    const wrong = records.filter((r) => r.diagnosis?.rootCause.code !== expected.get(r.fingerprint));
    expect(wrong.map((r) => [r.fingerprint, r.diagnosis?.rootCause.code])).toEqual([]);
    for (const r of records) expect(r.diagnosis?.alert.fingerprint).toBe(r.fingerprint);
    const oom = records.find((r) => r.diagnosis?.rootCause.code === 'OOM_LIMIT')?.diagnosis;
    expect(oom?.actions.map((a) => [a.kind, a.params.container])).toEqual([['set-memory-limit', 'ad-server']]);

    // Two diagnoses (one per container) answered the 300 alerts: the counter says so. The API server saw a
    // diagnosis' worth of requests (in a burst this short the reads cache would have joined them anyway).
    const requests = cluster.sandbox.requests().total - before;
    expect(requests).toBeLessThan(60);
    const metrics = await (await fetch(`${medic.url}/metrics`)).text();
    const shared = [...metrics.matchAll(/^medic_diagnoses_shared_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    expect(shared).toBeGreaterThanOrEqual(ALERTS - 10);

    // One thread, one reply per cause; once the thread settles, each reply covers exactly its cause's alerts.
    const byCause = (code: string) =>
      [...expected]
        .filter(([, c]) => c === code)
        .map(([fp]) => fp)
        .sort();
    const replies = await waitForChange(
      sim,
      () => {
        const thread = sim.conversations().find((c) => c.id === 'CSTORM')?.messages;
        if (thread?.length !== 1) return undefined;
        const shown = (thread[0]?.replies ?? []).map((m) => {
          const payload = m.metadata?.event_payload as { root_cause: string; fingerprints: string[] } | undefined;
          return { code: payload?.root_cause, fingerprints: [...(payload?.fingerprints ?? [])].sort() };
        });
        const settled = shown.every((s) => s.code && s.fingerprints.length === byCause(s.code).length);
        return shown.length === 2 && settled ? shown : undefined;
      },
      30_000,
    );
    expect(replies.map((r) => r.code).sort()).toEqual(['IMAGE_PULL_FAILURE', 'OOM_LIMIT']);
    for (const reply of replies) expect(reply.fingerprints).toEqual(byCause(reply.code ?? ''));
  });
});
