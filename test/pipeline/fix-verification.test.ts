/**
 * "Did it work?" through the real alert path: the Alertmanager webhook of `medic serve`, the playbooks reading the
 * sandbox cluster through the real Kubernetes client, the diagnosis reply in the Slack simulator, a signed approve
 * click, the memory raise applied to the sandbox (whose rollout replaces the pods), and the delayed check that
 * diagnoses the Deployment again and answers in the thread.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/sandbox/index.js';
import type { SlackSimulator } from '../../src/slack-simulator/index.js';
import type { TestMedic } from '../support/medic.js';
import { SCENARIOS_DIR, startTestCluster, type TestCluster } from '../support/sandbox.js';
import { startMedicWithSlack, waitForChange } from '../support/slack.js';
import { waitFor } from '../support/wait.js';

const CHANNEL = 'CVERIFY';
const ALERT = readFileSync(`${SCENARIOS_DIR}oom-limit/alert.json`, 'utf8');

let sim: SlackSimulator | undefined;
let medics: TestMedic[] = [];
let cluster: TestCluster | undefined;
afterEach(async () => {
  for (const m of medics.reverse()) await m.close();
  await sim?.close();
  await cluster?.close();
  medics = [];
  sim = cluster = undefined;
});

type Block = { type: string; elements?: { action_id: string; value: string; text?: { text: string } }[] };
interface Reply {
  ts: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

const thread = (s: SlackSimulator): Reply[] =>
  (s.conversations().find((c) => c.id === CHANNEL)?.messages[0]?.replies ?? []) as Reply[];
const buttonsOf = (reply: Reply) =>
  ((reply.blocks ?? []) as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
const verificationReplies = (s: SlackSimulator) =>
  thread(s).filter((r) => r.metadata?.event_type === 'medic_verification');

/** `medic serve` with Slack on the cluster, checking fixes `delay` after them; `replicaOf` shares its Redis and Slack. */
function startMedic(on: TestCluster, delay: string, replicaOf?: { sim: SlackSimulator; medic: TestMedic }) {
  const settingsYaml = `verification: {delay: ${delay}}\n`;
  const options = { kube: on.apis, channel: CHANNEL, approvers: ['UAPPROVER'], settingsYaml };
  return startMedicWithSlack(replicaOf ? { ...options, replicaOf } : options);
}

/** Posts the OOM alert, waits for its diagnosis reply and clicks its memory raise as an approver. */
async function approveMemoryRaise(s: SlackSimulator, medic: TestMedic): Promise<Reply> {
  const res = await fetch(`${medic.url}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: ALERT,
  });
  expect(res.status).toBe(202);
  const reply = await waitForChange(s, () => thread(s)[0], 20_000);
  expect(reply.metadata?.event_payload?.root_cause).toBe('OOM_LIMIT');
  const raise = buttonsOf(reply).find((b) => b.action_id.includes('set-memory-limit'));
  expect(raise?.text?.text).toContain('256Mi → 512Mi');
  await s.clickButton({
    userId: 'UAPPROVER',
    channel: CHANNEL,
    messageTs: reply.ts,
    actionId: raise?.action_id ?? '',
    value: raise?.value ?? '',
  });
  return reply;
}

/**
 * Writes `status` (its `$NOW` the time of writing) as the ad-server container's status of every pod the
 * rollout starts, through the sandbox's API, as a kubelet would report it; resolves to the answers' codes.
 */
function breakNewPods(on: TestCluster, status: Record<string, unknown>): Promise<Response>[] {
  const writes: Promise<Response>[] = [];
  on.sandbox.store.on('change', (event: ChangeEvent) => {
    const { kind, metadata } = event.object;
    if (event.type !== 'ADDED' || kind !== 'Pod' || !metadata.name.startsWith('ad-server-')) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const container = {
      name: 'ad-server',
      image: 'registry.example.com/ads/ad-server:2.31.0',
      ready: false,
      ...status,
    };
    const body = JSON.stringify({ status: { containerStatuses: [container] } }).replaceAll('$NOW', now);
    writes.push(
      fetch(`${on.sandbox.url}/api/v1/namespaces/ads/pods/${metadata.name}/status`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body,
      }),
    );
  });
  return writes;
}

/** Medic on the oom-limit cluster; the memory raise approved while its new pods report `status`; the check's reply. */
async function raiseWhileNewPodsReport(status: Record<string, unknown>) {
  cluster = await startTestCluster({ scenario: 'oom-limit' });
  const started = await startMedic(cluster, '3s');
  ({ sim } = started);
  medics = [started.medic];
  const s = started.sim;
  const writes = breakNewPods(cluster, status);
  await approveMemoryRaise(s, started.medic);
  const verified = await waitForChange(s, () => verificationReplies(s)[0], 30_000);
  expect((await Promise.all(writes)).map((r) => r.status)).toEqual([200, 200]);
  return { medic: started.medic, verified };
}

/** Medic on the oom-limit cluster checking `delay` after a fix, its memory raise approved and applied. */
async function raiseApplied(delay: string) {
  cluster = await startTestCluster({ scenario: 'oom-limit' });
  const started = await startMedic(cluster, delay);
  ({ sim } = started);
  medics = [started.medic];
  await approveMemoryRaise(started.sim, started.medic);
  await waitForChange(
    started.sim,
    () => JSON.stringify(thread(started.sim)[0]?.blocks).includes('Done (approved by'),
    15_000,
  );
  return { on: cluster, started, s: started.sim };
}

async function outcomesCounted(medic: TestMedic): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  return (await medic.metrics.fixVerifications.get()).values.filter((v) => v.value > 0);
}

describe('the check after an approved fix', () => {
  it('a memory raise that ends the OOM kills posts "fixed" once, with two replicas on one Redis', async () => {
    cluster = await startTestCluster({ scenario: 'oom-limit' });
    const first = await startMedic(cluster, '2s');
    sim = first.sim;
    const second = await startMedic(cluster, '2s', first);
    medics = [first.medic, second.medic];
    const s = first.sim;
    const diagnosis = await approveMemoryRaise(s, first.medic);

    const verified = await waitForChange(s, () => verificationReplies(s)[0], 30_000);
    const text = JSON.stringify(verified.blocks);
    expect(verified.metadata?.event_payload).toMatchObject({
      kind: 'set-memory-limit',
      outcome: 'fixed',
      proposals: [],
    });
    expect(text).toContain('*Fixed*');
    expect(text).toMatch(/Deployment ad-server: 2 of 2 replicas available; pod\(s\) ad-server-\w+-\w+, ad-server-/);
    expect(text).toContain('with no container killed or restarted since the change');
    expect(buttonsOf(verified)).toEqual([]);
    // The pods the check looked at are the rollout's: the new template, no restarts, no OOM kill on record.
    const pods = cluster.sandbox.store.list('v1', 'Pod', 'ads') as unknown as {
      spec: { containers: { resources: { limits: { memory: string } } }[] };
      status: { containerStatuses: { restartCount: number; lastState?: unknown }[] };
    }[];
    expect(pods.map((p) => p.spec.containers[0]?.resources.limits.memory)).toEqual(['512Mi', '512Mi']);
    expect(pods.flatMap((p) => p.status.containerStatuses.map((c) => [c.restartCount, c.lastState]))).toEqual([
      [0, undefined],
      [0, undefined],
    ]);
    // The diagnosis reply's status line says so too.
    await waitForChange(s, () => JSON.stringify(thread(s)[0]?.blocks).includes('*Fixed* (checked'), 10_000);

    // A second schedule of the same check (a retried action job, the other replica) is the same job: no-op.
    const proposals = (diagnosis.metadata?.event_payload?.proposals ?? []) as { id: string }[];
    const proposalId = proposals[0]?.id ?? '';
    await second.medic.queues.enqueueVerification(proposalId, 0);
    await waitFor(async () => (await first.medic.queues.alerts.getJobState(`verify-${proposalId}`)) === 'completed', {
      timeoutMs: 10_000,
      what: 'the check job to be completed',
    });
    const counted = [...(await outcomesCounted(first.medic)), ...(await outcomesCounted(second.medic))];
    expect(counted).toEqual([{ labels: { kind: 'set-memory-limit', outcome: 'fixed' }, value: 1 }]);
    expect(verificationReplies(s)).toHaveLength(1);
    expect(thread(s)).toHaveLength(2);
  });

  it('the check is in Redis: Medic stopped after the fix and started again still posts it, once', async () => {
    const { on, started: before, s } = await raiseApplied('4s');
    await before.medic.stop();
    expect(verificationReplies(s)).toEqual([]);

    const after = await startMedic(on, '4s', before);
    medics.push(after.medic);
    const verified = await waitForChange(s, () => verificationReplies(s)[0], 30_000);
    expect(verified.metadata?.event_payload).toMatchObject({ outcome: 'fixed' });
    expect(await outcomesCounted(after.medic)).toEqual([
      { labels: { kind: 'set-memory-limit', outcome: 'fixed' }, value: 1 },
    ]);
    expect(verificationReplies(s)).toHaveLength(1);
  });

  it('a memory raise after which the new pods cannot pull their image posts "changed" with the new diagnosis', async () => {
    const { medic, verified } = await raiseWhileNewPodsReport({
      state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image: manifest unknown' } },
      restartCount: 0,
    });
    expect(verified.metadata?.event_payload).toMatchObject({
      kind: 'set-memory-limit',
      outcome: 'changed',
      root_cause_now: 'IMAGE_PULL_FAILURE',
    });
    const text = JSON.stringify(verified.blocks);
    expect(text).toContain('*Changed*');
    expect(text).toContain('Now IMAGE_PULL_FAILURE: Image registry.example.com/ads/ad-server:2.31.0 cannot be pulled');
    expect(text).toMatch(/ad-server in pod ad-server-\w+-\w+ is ImagePullBackOff/);
    // The raise did not change the image: revision 14 runs the same one with the same credentials (from copies
    // pulled earlier), so rolling back would pull it again and undo the raise. The new diagnosis offers nothing.
    expect(buttonsOf(verified)).toEqual([]);
    expect(verified.metadata?.event_payload?.proposals).toEqual([]);
    expect(text).toContain('The previous revision has the same image registry.example.com/ads/ad-server:2.31.0');
    expect(await outcomesCounted(medic)).toEqual([
      { labels: { kind: 'set-memory-limit', outcome: 'changed' }, value: 1 },
    ]);
  });

  it('a memory raise after which the new pods are OOM-killed again posts "not fixed" and the next raise', async () => {
    const { medic, verified } = await raiseWhileNewPodsReport({
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '$NOW', finishedAt: '$NOW' } },
      restartCount: 1,
    });
    const text = JSON.stringify(verified.blocks);
    expect(verified.metadata?.event_payload).toMatchObject({
      kind: 'set-memory-limit',
      outcome: 'not fixed',
      root_cause_now: 'OOM_LIMIT',
    });
    expect(text).toContain('*Not fixed*');
    expect(text).toMatch(/ad-server in pod ad-server-\w+-\w+ was terminated \(OOMKilled\) at .+, after the change/);
    // The next step is the playbook's next raise, dry-run and offered; never the raise that just ran.
    const next = buttonsOf(verified);
    expect(next.map((b) => b.text?.text)).toEqual(['Raise ad-server memory limit 512Mi → 1Gi on Deployment/ad-server']);
    expect(verified.metadata?.event_payload?.proposals).toEqual([{ id: next[0]?.value, kind: 'set-memory-limit' }]);
    const counted = await outcomesCounted(medic);
    expect(counted).toEqual([{ labels: { kind: 'set-memory-limit', outcome: 'not fixed' }, value: 1 }]);
  });
});

describe('a check that cannot read the cluster', () => {
  it('posts "not checked" after its last attempt: it decides nothing, offers no step, and counts the outcome', async () => {
    const { on, started, s } = await raiseApplied('3s');
    // The raise is applied; then the API server fails every read until the end: the check's attempts all fail.
    on.sandbox.setFaults([{ method: 'GET', status: 500 }]);

    const checked = await waitForChange(s, () => verificationReplies(s)[0], 30_000);
    const text = JSON.stringify(checked.blocks);
    expect(checked.metadata?.event_payload).toMatchObject({
      kind: 'set-memory-limit',
      outcome: 'not checked',
      proposals: [],
    });
    expect(text).toContain('*Not checked*');
    expect(text).toContain('Medic could not read the cluster to check this change (5 attempts)');
    expect(text).toContain(
      'Nothing was decided and no next step is offered: look at ads/Deployment/ad-server yourself',
    );
    expect(text).toContain('could not read Deployment ads/ad-server');
    expect(buttonsOf(checked)).toEqual([]);
    expect(await outcomesCounted(started.medic)).toEqual([
      { labels: { kind: 'set-memory-limit', outcome: 'not checked' }, value: 1 },
    ]);
  });
});

describe('a fix something puts back', () => {
  it('a memory raise that Argo CD self-heal reverts posts "not fixed", names the owner and offers no raise again', async () => {
    cluster = await startTestCluster({ scenario: 'oom-limit' });
    const on = cluster;
    const deployment = `${on.sandbox.url}/apis/apps/v1/namespaces/ads/deployments/ad-server`;
    const patch = (body: unknown, type = 'application/merge-patch+json') =>
      fetch(deployment, { method: 'PATCH', headers: { 'content-type': type }, body: JSON.stringify(body) });
    const tracked = await patch({
      metadata: { annotations: { 'argocd.argoproj.io/tracking-id': 'ads:apps/Deployment:ads/ad-server' } },
    });
    expect(tracked.status).toBe(200);
    // Argo CD's self-heal: the first time the live limit differs from Git (256Mi), it syncs Git's value back.
    const healed: Promise<Response>[] = [];
    on.sandbox.store.on('change', (event: ChangeEvent) => {
      const { kind, metadata } = event.object;
      if (healed.length > 0 || kind !== 'Deployment' || metadata.name !== 'ad-server') return;
      if (!JSON.stringify(event.object).includes('"memory":"512Mi"')) return;
      healed.push(
        patch(
          {
            spec: {
              template: { spec: { containers: [{ name: 'ad-server', resources: { limits: { memory: '256Mi' } } }] } },
            },
          },
          'application/strategic-merge-patch+json',
        ),
      );
    });
    const started = await startMedic(on, '2s');
    ({ sim } = started);
    medics = [started.medic];
    const s = started.sim;
    await approveMemoryRaise(s, started.medic);
    const verified = await waitForChange(s, () => verificationReplies(s)[0], 30_000);
    expect((await Promise.all(healed)).map((r) => r.status)).toEqual([200]);

    expect(verified.metadata?.event_payload).toMatchObject({ kind: 'set-memory-limit', outcome: 'not fixed' });
    const text = JSON.stringify(verified.blocks);
    expect(text).toContain('*Not fixed*');
    expect(text).toContain('The change was undone after it ran');
    expect(text).toContain('is back to 256Mi');
    expect(text).toContain('Argo CD application ads syncs it: commit the change to its source instead.');
    // Applying the same raise again would be reverted again: no button, and the reply says where the change goes.
    expect(text).toContain('The same change would be put back again, so Medic offers no button: commit it');
    expect(text).not.toContain('The playbook knows no other step');
    expect(buttonsOf(verified)).toEqual([]);
    expect(await outcomesCounted(started.medic)).toEqual([
      { labels: { kind: 'set-memory-limit', outcome: 'not fixed' }, value: 1 },
    ]);
  });
});
