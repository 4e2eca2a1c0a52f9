/**
 * NODE_NOT_READY, VOLUME_FULL and VOLUME_PROVISIONING_FAILED through the real alert path: Alertmanager webhook →
 * queue → playbooks against the sandbox → Slack reply with the evidence and the buttons; resize-pvc is clicked
 * by an approver and changes the claim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackSimulator } from '../../src/slack-simulator/index.js';
import type { TestMedic } from '../support/medic.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';
import { startMedicWithSlack, waitForChange } from '../support/slack.js';

const NEXT = join(import.meta.dirname, '../../../shared/scenarios-next');
const OWN = join(import.meta.dirname, '../scenarios');

let sim: SlackSimulator;
let medic: TestMedic;
let cluster: TestCluster;
afterEach(async () => {
  await medic?.close();
  await sim?.close();
  await cluster?.close();
});

type Block = { type: string; elements?: { action_id: string; value: string; text?: { text: string } }[] };
interface Payload {
  alerts: { fingerprint: string }[];
}

/** Serves the scenario's cluster, posts its alerts, and returns the first diagnosis reply in the thread. */
async function replyFor(dir: string) {
  cluster = await startTestCluster({ file: join(dir, 'cluster.yaml') });
  ({ medic, sim } = await startMedicWithSlack({
    kube: cluster.apis,
    channel: 'CMEDIC',
    approvers: ['UAPPROVER', 'USECOND'],
  }));
  const body = readFileSync(join(dir, 'alert.json'), 'utf8');
  const fingerprint = (JSON.parse(body) as Payload).alerts[0]?.fingerprint;
  const res = await fetch(`${medic.url}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(res.status).toBe(202);
  const reply = await waitForChange(
    sim,
    () =>
      sim
        .conversations()
        .find((c) => c.id === 'CMEDIC')
        ?.messages[0]?.replies.find((r) => r.metadata?.event_payload?.fingerprint === fingerprint),
    20_000,
  );
  const payload = reply.metadata?.event_payload as { root_cause: string; proposals: { kind: string }[] };
  const buttons = (reply.blocks as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
  return { reply, payload, text: JSON.stringify(reply.blocks), buttons };
}

describe('node and storage alerts, webhook to Slack reply', () => {
  it('a full volume on an expandable class: evidence, a resize-pvc button, and the approved resize', async () => {
    const { reply, payload, text, buttons } = await replyFor(join(NEXT, 'volume-full-postgres-wal'));
    expect(payload.root_cause).toBe('VOLUME_FULL');
    expect(payload.proposals.map((p) => p.kind)).toEqual(['resize-pvc']);
    expect(text).toContain('2.114% free');
    expect(text).toContain('StorageClass premium-rwo (pd.csi.storage.gke.io): allowVolumeExpansion true');
    expect(text).toContain('archive command failed');
    expect(text).toMatch(/100Gi → 150Gi/);
    const button = buttons.find((b) => b.text?.text.includes('Resize'));
    expect(button).toBeDefined();
    await sim.clickButton({
      userId: 'USECOND',
      channel: 'CMEDIC',
      messageTs: reply.ts,
      actionId: button!.action_id,
      value: button!.value,
    });
    await waitForChange(sim, () => /Done \(approved by <@USECOND>\)/.test(JSON.stringify(sim.conversations())), 20_000);
    const claim = cluster.sandbox.store.get(
      'v1',
      'PersistentVolumeClaim',
      'inventory',
      'data-inventory-db-0',
    ) as unknown as {
      spec: { resources: { requests: { storage: string } } };
      status: { capacity: { storage: string } };
    };
    expect(claim.spec.resources.requests.storage).toBe('150Gi');
    expect(claim.status.capacity.storage).toBe('150Gi');
  });

  it('a full volume on a class that cannot expand: no button, and what to do instead', async () => {
    const { payload, text, buttons } = await replyFor(join(OWN, 'volume-full-class-cannot-expand'));
    expect(payload.root_cause).toBe('VOLUME_FULL');
    expect(payload.proposals).toEqual([]);
    expect(buttons).toEqual([]);
    expect(text).toContain('StorageClass pd-ssd-legacy does not allow expansion');
  });

  it('a NotReady node in a zone with another dead one: conditions, stranded pods, the zone, a cordon button', async () => {
    const { payload, text } = await replyFor(join(OWN, 'two-nodes-not-ready-one-zone'));
    expect(payload.root_cause).toBe('NODE_NOT_READY');
    expect(payload.proposals.map((p) => p.kind)).toEqual(['cordon-node']);
    expect(text).toContain('Kubelet stopped posting node status.');
    expect(text).toContain('Zone westeurope-1: 2 of 3 node(s) NotReady');
    expect(text).toContain('stream-router-6d4f8b7c95-h3c9w');
  });

  it('a pod waiting for a claim whose StorageClass does not exist: the claim, the class, the provisioner error', async () => {
    const { payload, text, buttons } = await replyFor(join(NEXT, 'pvc-pending-missing-storageclass'));
    expect(payload.root_cause).toBe('VOLUME_PROVISIONING_FAILED');
    expect(buttons).toEqual([]);
    expect(text).toContain('storageclass.storage.k8s.io \\"fast-ssd\\" not found');
    expect(text).toContain('data-clickhouse-0');
    expect(text).toContain('pod has unbound immediate PersistentVolumeClaims');
  });
});
