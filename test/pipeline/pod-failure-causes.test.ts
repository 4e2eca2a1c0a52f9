/**
 * CONFIG_MISSING, PROBE_FAILURE, JOB_FAILED and EPHEMERAL_STORAGE_EVICTION through the real alert path: the
 * Alertmanager webhook of `medic serve`, the playbooks reading the sandbox cluster through the real Kubernetes
 * client, and the diagnosis reply in a Slack thread (the simulator) with its evidence and its buttons.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackSimulator } from '../../src/slack-simulator/index.js';
import type { TestMedic } from '../support/medic.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';
import { startMedicWithSlack, waitForChange } from '../support/slack.js';

const SCENARIOS = join(import.meta.dirname, '../scenarios');

let sim: SlackSimulator | undefined;
let medic: TestMedic | undefined;
let cluster: TestCluster | undefined;
afterEach(async () => {
  await medic?.close();
  await sim?.close();
  await cluster?.close();
  medic = sim = cluster = undefined;
});

const cases = [
  {
    scenario: 'config-missing-key-in-configmap',
    code: 'CONFIG_MISSING',
    evidence: ["couldn't find key PAYMENT_WEBHOOK_URL in ConfigMap shop/checkout-config", 'revision 7'],
    buttons: ['rollout-undo'],
  },
  {
    scenario: 'liveness-slow-start-crashloop',
    code: 'PROBE_FAILURE',
    evidence: ['/actuator/health/liveness', 'initialDelaySeconds 15', 'connection refused'],
    buttons: [],
  },
  {
    scenario: 'job-one-bad-index',
    code: 'JOB_FAILED',
    evidence: ['BackoffLimitExceeded', 'CronJob sessionize', 'failed index(es) 2'],
    buttons: [],
  },
  {
    scenario: 'ephemeral-node-disk-pressure',
    code: 'EPHEMERAL_STORAGE_EVICTION',
    evidence: ['DiskPressure=True', 'log-shipper'],
    buttons: ['cordon-node'],
  },
];

describe('a pod failure alert through the webhook to its Slack reply', () => {
  it.each(cases)('$code: $scenario', async ({ scenario, code, evidence, buttons }) => {
    const dir = join(SCENARIOS, scenario);
    cluster = await startTestCluster({ file: join(dir, 'cluster.yaml') });
    ({ medic, sim } = await startMedicWithSlack({ kube: cluster.apis, channel: 'CPODS', approvers: ['UAPPROVER'] }));
    const res = await fetch(`${medic.url}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync(join(dir, 'alert.json'), 'utf8'),
    });
    expect(res.status).toBe(202);

    const reply = await waitForChange(
      sim,
      () => sim?.conversations().find((c) => c.id === 'CPODS')?.messages[0]?.replies[0],
      20_000,
    );
    const payload = reply.metadata?.event_payload as { root_cause: string; proposals: { kind: string }[] };
    expect(payload.root_cause).toBe(code);
    const blocks = JSON.stringify(reply.blocks);
    for (const text of evidence) expect(blocks).toContain(JSON.stringify(text).slice(1, -1));
    expect(payload.proposals.map((p) => p.kind)).toEqual(buttons);
    const actionIds = (reply.blocks as { type: string; elements?: { value?: string }[] }[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    expect(actionIds).toHaveLength(buttons.length);
    expect(payload.proposals.map((p) => p.kind)).not.toContain('set-memory-limit');
  });
});
