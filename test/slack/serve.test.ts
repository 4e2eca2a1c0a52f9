import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SlackSimulator, startSlackSimulator } from '../../src/slack-simulator/index.js';
import type { DiagnosisEngine } from '../../src/types.js';
import { clusterObjects } from '../remediation/fixtures.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';
import { BOT_TOKEN, SIGNING_SECRET, USERS, waitForChange } from '../support/slack.js';
import { alertEvent, diagnosisFor } from './fixtures.js';

let sim: SlackSimulator | undefined;
let medic: TestMedic | undefined;
let cluster: TestCluster | undefined;
afterEach(async () => {
  await medic?.close();
  await sim?.close();
  await cluster?.close();
  medic = undefined;
  sim = undefined;
  cluster = undefined;
});

/** A stand-in for the playbooks: diagnoses every alert as the OOM of its pod. */
const engine: DiagnosisEngine = {
  diagnose: async (event) => diagnosisFor({ ...alertEvent(event.alert.fingerprint), alert: event.alert }),
};

describe('medic serve with Slack configured', () => {
  it('turns an Alertmanager webhook into a Slack thread and answers slash commands on /slack/events', async () => {
    sim = await startSlackSimulator({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, users: USERS });
    medic = await startTestMedic({
      role: 'all',
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: sim.apiUrl,
        SLACK_CHANNEL: 'CMEDIC',
      },
      overrides: { engine },
    });
    sim.setEventsUrl(`${medic.url}/slack/events`);
    const event = alertEvent('5e01');
    const payload = {
      version: '4',
      groupKey: event.groupKey,
      status: 'firing',
      receiver: 'medic',
      groupLabels: event.groupLabels,
      commonLabels: event.commonLabels,
      commonAnnotations: {},
      externalURL: event.externalURL,
      alerts: [event.alert],
    };
    const res = await fetch(`${medic.url}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(202);
    const thread = await waitForChange(sim, () => {
      const parent = sim?.conversations().find((c) => c.id === 'CMEDIC')?.messages[0];
      return parent?.replies[0] ? parent : undefined;
    });
    expect(thread.text).toContain('KubePodOOMKilled');
    expect(thread.replies[0]?.metadata?.event_payload).toMatchObject({ root_cause: 'OOM_LIMIT', fingerprint: '5e01' });
    // No cluster is configured here, so every dry run fails: no buttons, and the reply says why.
    expect(JSON.stringify(thread.replies[0]?.blocks)).toContain('no Kubernetes cluster is configured');

    const help = await sim.runSlashCommand({ userId: 'UAPPROVER', channel: 'CMEDIC', command: '/medic', text: 'help' });
    expect(help.status).toBe(200);
    const answer = await waitForChange(sim, () =>
      sim
        ?.conversations()
        .flatMap((c) => c.ephemerals)
        .find((e) => e.user === 'UAPPROVER'),
    );
    expect(answer.text).toContain('/medic diagnose');
    const metrics = await (await fetch(`${medic.url}/metrics`)).text();
    expect(metrics).toContain('medic_slack_rate_limited_total');
  });
});

describe('medic serve with Slack and a cluster', () => {
  it('/scale resolves the workload, shows the real dry-run diff, and runs on another approver’s click', async () => {
    cluster = await startTestCluster({ objects: clusterObjects() });
    sim = await startSlackSimulator({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, users: USERS });
    const dir = mkdtempSync(join(tmpdir(), 'medic-slack-'));
    writeFileSync(join(dir, 'medic.yaml'), 'approvers: [UAPPROVER, USECOND]\n');
    medic = await startTestMedic({
      role: 'all',
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: sim.apiUrl,
        SLACK_CHANNEL: 'CMEDIC',
        MEDIC_CONFIG: join(dir, 'medic.yaml'),
      },
      overrides: { kube: cluster.apis },
    });
    sim.setEventsUrl(`${medic.url}/slack/events`);
    await sim.runSlashCommand({ userId: 'UAPPROVER', channel: 'COPS', command: '/scale', text: 'api 4 -n ads' });
    const message = await waitForChange(sim, () => sim?.conversations().find((c) => c.id === 'COPS')?.messages[0]);
    expect(message.text).toContain('Scale Deployment/api from 2 to 4');
    expect(JSON.stringify(message.blocks)).toMatch(/replicas: 2 → 4/);
    const button = (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
      (b) => b.type === 'actions',
    )?.elements?.[0];
    await sim.clickButton({
      userId: 'USECOND',
      channel: 'COPS',
      messageTs: message.ts,
      actionId: button!.action_id,
      value: button!.value,
    });
    const done = await waitForChange(sim, () => {
      const m = sim?.conversations().find((c) => c.id === 'COPS')?.messages[0];
      return m && /Done|Failed/.test(JSON.stringify(m.blocks)) ? m : undefined;
    });
    expect(JSON.stringify(done.blocks)).toContain('Done (approved by <@USECOND>)');
    await sim.runSlashCommand({ userId: 'UAPPROVER', channel: 'COPS', command: '/medic', text: 'diagnose zzz -n ads' });
    const notFound = await waitForChange(sim, () =>
      sim
        ?.conversations()
        .flatMap((c) => c.ephemerals)
        .find((e) => e.text.includes('zzz')),
    );
    expect(notFound.text).toBe(
      'No pod, deployment or statefulset named `zzz` in namespace ads; nothing was diagnosed.',
    );
    const deployment = cluster.sandbox.store.get('apps/v1', 'Deployment', 'ads', 'api') as unknown as {
      spec: { replicas: number };
    };
    expect(deployment.spec.replicas).toBe(4);
  });
});
