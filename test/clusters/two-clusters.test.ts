/**
 * One Medic, two clusters (issue 17): two sandbox API servers reached through two contexts of one kubeconfig,
 * alerts for both through the real webhook, diagnoses read from the right one, a proposal approved for one
 * never touching the other (kubectl before/after on both), per-cluster approvers, commands that ask which
 * cluster, and one cluster down while the other keeps working.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import type { SlackSimulator } from '../../src/slack-simulator/index.js';
import type { SimMessage } from '../../src/slack-simulator/state.js';
import type { TestMedic } from '../support/medic.js';
import { SCENARIOS_DIR } from '../support/sandbox.js';
import { startMedicWithSlack, waitForChange } from '../support/slack.js';

const run = promisify(execFile);
const OOM = join(SCENARIOS_DIR, 'oom-limit');
const dir = mkdtempSync(join(tmpdir(), 'medic-two-clusters-'));

/** prod-eu: the oom-limit scenario as it is (limit 256Mi); staging: the same objects with a 300Mi limit. */
function snapshot(name: string, limit: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, readFileSync(join(OOM, 'cluster.yaml'), 'utf8').replaceAll('256Mi', limit));
  return file;
}

function kubeconfig(servers: Record<string, string>): string {
  const file = join(dir, 'kubeconfig');
  const names = Object.keys(servers);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: names.map((n) => ({ name: n, cluster: { server: servers[n] } })),
      users: [{ name: 'medic', user: { token: 'sandbox' } }],
      contexts: names.map((n) => ({ name: n, context: { cluster: n, user: 'medic' } })),
      'current-context': names[0],
    }),
  );
  return file;
}

const MEDIC_YAML = [
  'approvers: [UAPPROVER]',
  'verification: {delay: 1s}',
  'clusters:',
  '  - {name: prod-eu, context: prod-eu, approvers: [USECOND]}',
  '  - {name: staging, context: staging}',
  'channels:',
  '  - {match: {cluster: prod-eu}, channel: CPROD}',
].join('\n');

/** The oom-limit alert, for `cluster` (no label when undefined), as its own alert group. */
function alert(cluster: string | undefined, fingerprint: string): string {
  const payload = JSON.parse(readFileSync(join(OOM, 'alert.json'), 'utf8'));
  const [first] = payload.alerts;
  const labels = { ...first.labels, ...(cluster ? { cluster } : {}) };
  payload.alerts = [{ ...first, labels, fingerprint }];
  payload.commonLabels = labels;
  payload.groupKey = `{}:{alertname="KubeContainerOOMKilled", cluster="${cluster ?? ''}", fp="${fingerprint}"}`;
  return JSON.stringify(payload);
}

/** What kubectl shows of a cluster's workloads and pods: every field, resourceVersions included. */
async function kubectlSnapshot(sandbox: Sandbox): Promise<string> {
  const { stdout } = await run('kubectl', [`--server=${sandbox.url}`, 'get', 'deploy,rs,pods', '-A', '-o', 'json']);
  return stdout;
}

async function kubectlLimit(sandbox: Sandbox): Promise<string> {
  const { stdout } = await run('kubectl', [
    `--server=${sandbox.url}`,
    '-n',
    'ads',
    'get',
    'deployment',
    'ad-server',
    '-o',
    'jsonpath={.spec.template.spec.containers[?(@.name=="ad-server")].resources.limits.memory}',
  ]);
  return stdout;
}

let prod: Sandbox;
let staging: Sandbox | undefined;
let medic: TestMedic;
let sim: SlackSimulator;

beforeEach(async () => {
  prod = await startSandbox({ file: snapshot('prod-eu', '256Mi') });
  staging = await startSandbox({ file: snapshot('staging', '300Mi') });
  ({ medic, sim } = await startMedicWithSlack({
    channel: 'CALERTS',
    medicYaml: MEDIC_YAML,
    // Enough workers that a hanging cluster's diagnoses do not queue the other cluster's behind them.
    env: { KUBECONFIG: kubeconfig({ 'prod-eu': prod.url, staging: staging.url }), MEDIC_WORKER_CONCURRENCY: '32' },
  }));
});

afterEach(async () => {
  await medic?.close();
  await sim?.close();
  await prod?.close();
  await staging?.close();
  staging = undefined;
});

async function send(body: string): Promise<void> {
  const res = await fetch(`${medic.url}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(res.status).toBe(202);
}

/** The first thread's parent and its first reply in `channel`, once the reply is there. */
function thread(channel: string, index = 0) {
  return waitForChange(
    sim,
    () => {
      const parent = sim.conversations().find((c) => c.id === channel)?.messages[index];
      return parent?.replies[0] ? { parent, reply: parent.replies[0] } : undefined;
    },
    20_000,
  );
}

/** A click on the first button of `message` by `userId`, through the signed Slack path. */
async function click(userId: string, channel: string, message: SimMessage): Promise<void> {
  const blocks = message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
  const found = blocks.find((b) => b.type === 'actions')?.elements?.[0];
  if (!found) throw new Error('no button in the message');
  await sim.clickButton({ userId, channel, messageTs: message.ts, actionId: found.action_id, value: found.value });
}

function ephemeralFor(user: string, text: RegExp) {
  return waitForChange(sim, () =>
    sim
      .conversations()
      .flatMap((c) => c.ephemerals)
      .find((e) => e.user === user && text.test(e.text)),
  );
}

describe('one Medic, two clusters', () => {
  it('diagnoses each alert in its own cluster, and a fix approved for one never touches the other', async () => {
    await send(alert('prod-eu', 'aaaa000000000001'));
    await send(alert('staging', 'bbbb000000000002'));
    const prodThread = await thread('CPROD');
    const stagingThread = await thread('CALERTS');

    // Headers name the cluster; each diagnosis read its own cluster's limit.
    expect(prodThread.parent.text).toContain('KubeContainerOOMKilled in prod-eu · ads');
    expect(stagingThread.parent.text).toContain('KubeContainerOOMKilled in staging · ads');
    const prodBlocks = JSON.stringify(prodThread.reply.blocks);
    const stagingBlocks = JSON.stringify(stagingThread.reply.blocks);
    expect(prodThread.reply.metadata?.event_payload).toMatchObject({ root_cause: 'OOM_LIMIT' });
    expect(stagingThread.reply.metadata?.event_payload).toMatchObject({ root_cause: 'OOM_LIMIT' });
    expect(prodBlocks).toContain('256Mi');
    expect(prodBlocks).not.toContain('300Mi');
    expect(stagingBlocks).toContain('300Mi');
    expect(stagingBlocks).not.toContain('256Mi');
    expect(prodBlocks).toContain('prod-eu · ads/Deployment/ad-server');
    expect(prodBlocks).toContain('prod-eu · Pod ads/ad-server-7c9d8f6b5-x2klp');

    const prodBefore = await kubectlSnapshot(prod);
    const stagingBefore = await kubectlSnapshot(staging as Sandbox);

    // The global approver is not prod-eu's approver: refused, nothing changes.
    await click('UAPPROVER', 'CPROD', prodThread.reply);
    const refused = await ephemeralFor('UAPPROVER', /approvers/);
    expect(refused.text).toBe(
      'Only approvers listed in medic.yaml for cluster prod-eu can approve this; nothing was done.',
    );
    // prod-eu's approver is not staging's either.
    await click('USECOND', 'CALERTS', stagingThread.reply);
    const refusedStaging = await ephemeralFor('USECOND', /approvers/);
    expect(refusedStaging.text).toBe(
      'Only approvers listed in medic.yaml for cluster staging can approve this; nothing was done.',
    );
    expect(await kubectlSnapshot(prod)).toBe(prodBefore);
    expect(await kubectlSnapshot(staging as Sandbox)).toBe(stagingBefore);

    // prod-eu's approver runs prod-eu's fix: prod-eu changes, staging does not, byte for byte.
    await click('USECOND', 'CPROD', prodThread.reply);
    const done = await waitForChange(sim, () => {
      const reply = sim.conversations().find((c) => c.id === 'CPROD')?.messages[0]?.replies[0];
      return reply && /Done \(approved by <@USECOND>\)/.test(JSON.stringify(reply.blocks)) ? reply : undefined;
    });
    expect(JSON.stringify(done.blocks)).toContain('Done (approved by <@USECOND>)');
    expect(await kubectlLimit(prod)).not.toBe('256Mi');
    expect(await kubectlSnapshot(prod)).not.toBe(prodBefore);
    expect(await kubectlLimit(staging as Sandbox)).toBe('300Mi');
    expect(await kubectlSnapshot(staging as Sandbox)).toBe(stagingBefore);

    // The check after the fix reads prod-eu again, and only prod-eu.
    const stagingRequests = (staging as Sandbox).requests().total;
    const verified = await waitForChange(
      sim,
      () =>
        sim
          .conversations()
          .find((c) => c.id === 'CPROD')
          ?.messages[0]?.replies.find((r) => r.metadata?.event_type === 'medic_verification'),
      30_000,
    );
    expect(verified.metadata?.event_payload).toMatchObject({ outcome: 'fixed' });
    expect(JSON.stringify(verified.blocks)).toContain('prod-eu');
    expect((staging as Sandbox).requests().total).toBe(stagingRequests);
    expect(await kubectlSnapshot(staging as Sandbox)).toBe(stagingBefore);

    // The Kubernetes metrics carry the cluster.
    const metrics = await (await fetch(`${medic.url}/metrics`)).text();
    expect(metrics).toMatch(/medic_kube_request_duration_seconds_count\{[^}]*cluster="prod-eu"/);
    expect(metrics).toMatch(/medic_kube_request_duration_seconds_count\{[^}]*cluster="staging"/);
  });

  it('an alert naming no configured cluster, or none, gets a plain UNKNOWN and reads no cluster', async () => {
    const before = prod.requests().total + (staging as Sandbox).requests().total;
    await send(alert('qa', 'cccc000000000003'));
    await send(alert(undefined, 'dddd000000000004'));
    const first = await thread('CALERTS', 0);
    const second = await thread('CALERTS', 1);
    const texts = [first.reply, second.reply].map((r) => JSON.stringify(r.blocks)).join('\n');
    expect(texts).toContain(
      "The alert's cluster label names cluster qa, which Medic is not configured for (its clusters: prod-eu, staging); nothing was read from any cluster.",
    );
    expect(texts).toContain(
      'The alert has no cluster label and medic.yaml sets no defaultCluster, so Medic cannot tell which of its clusters (prod-eu, staging) it is about; nothing was read from any cluster.',
    );
    for (const reply of [first.reply, second.reply]) {
      expect(reply.metadata?.event_payload).toMatchObject({ root_cause: 'UNKNOWN', proposals: [] });
    }
    expect(prod.requests().total + (staging as Sandbox).requests().total).toBe(before);
  });

  it('a group holding alerts of both clusters: each reply names its own cluster, the header none', async () => {
    const prodAlert = JSON.parse(alert('prod-eu', 'abab000000000007'));
    const stagingAlert = JSON.parse(alert('staging', 'baba000000000008'));
    const { cluster: _, ...common } = prodAlert.commonLabels;
    await send(
      JSON.stringify({ ...prodAlert, commonLabels: common, alerts: [...prodAlert.alerts, ...stagingAlert.alerts] }),
    );
    // Each alert goes where its cluster's alerts go (`channels` rules route each alert by its own labels).
    const prodThread = await thread('CPROD');
    const stagingThread = await thread('CALERTS');
    for (const [t, own, limit] of [
      [prodThread, 'prod-eu · Pod ads/', '256Mi'],
      [stagingThread, 'staging · Pod ads/', '300Mi'],
    ] as const) {
      // The header claims no cluster: the group is not all one cluster.
      expect(t.parent.text).toContain('KubeContainerOOMKilled in ads');
      expect(JSON.stringify(t.reply.blocks)).toContain(own);
      expect(JSON.stringify(t.reply.blocks)).toContain(limit);
    }
  });

  it('commands ask which cluster, and act on the one --cluster names', async () => {
    await sim.runSlashCommand({ userId: 'UAPPROVER', channel: 'COPS', command: '/scale', text: 'ad-server 3 -n ads' });
    const asked = await ephemeralFor('UAPPROVER', /several clusters/);
    expect(asked.text).toBe(
      'Medic serves several clusters: prod-eu, staging. Add `--cluster NAME` to say which one; nothing was done.',
    );
    await sim.runSlashCommand({
      userId: 'UAPPROVER',
      channel: 'COPS',
      command: '/scale',
      text: 'ad-server 3 -n ads --cluster qa',
    });
    const unknown = await ephemeralFor('UAPPROVER', /no cluster named/);
    expect(unknown.text).toBe('Medic has no cluster named `qa`; its clusters: prod-eu, staging.');

    const stagingBefore = await kubectlSnapshot(staging as Sandbox);
    await sim.runSlashCommand({
      userId: 'USECOND',
      channel: 'COPS',
      command: '/scale',
      text: 'ad-server 3 -n ads --cluster prod-eu',
    });
    const message = await waitForChange(sim, () => sim.conversations().find((c) => c.id === 'COPS')?.messages[0]);
    expect(JSON.stringify(message.blocks)).toContain('prod-eu · ads/Deployment/ad-server');
    // The proposer cannot approve it; prod-eu's other approver is USECOND only, so the global approver may not.
    await click('UAPPROVER', 'COPS', message);
    await ephemeralFor('UAPPROVER', /for cluster prod-eu can approve/);

    // In CPROD (routed to prod-eu only) no --cluster is needed.
    const stagingRequests = (staging as Sandbox).requests().total;
    const prodRequests = prod.requests().total;
    await sim.runSlashCommand({
      userId: 'UAPPROVER',
      channel: 'CPROD',
      command: '/medic',
      text: 'diagnose pod/ad-server-7c9d8f6b5-x2klp -n ads',
    });
    const diagnosing = await ephemeralFor('UAPPROVER', /^Diagnosing/);
    expect(diagnosing.text).toBe(
      'Diagnosing Pod ads/ad-server-7c9d8f6b5-x2klp in cluster prod-eu… the result will be posted in this channel.',
    );
    const result = await thread('CPROD');
    expect(result.parent.text).toContain('in prod-eu · ads');
    expect(JSON.stringify(result.reply.blocks)).toContain('ad-server-7c9d8f6b5-x2klp/ad-server: running');
    // Read from prod-eu only: the lookup and the diagnosis made no request to staging.
    expect((staging as Sandbox).requests().total).toBe(stagingRequests);
    expect(prod.requests().total).toBeGreaterThan(prodRequests);
    expect(await kubectlSnapshot(staging as Sandbox)).toBe(stagingBefore);
  });

  it('one cluster down: /readyz reports it and stays ready, its diagnoses are partial, the other keeps working', async () => {
    await (staging as Sandbox).close();
    staging = undefined;
    const ready = await fetch(`${medic.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      checks: { kubernetes: { ok: boolean; clusters: Record<string, { ok: boolean; error?: string }> } };
    };
    expect(body.checks.kubernetes.ok).toBe(true);
    expect(body.checks.kubernetes.clusters['prod-eu']).toEqual({ ok: true });
    expect(body.checks.kubernetes.clusters.staging?.ok).toBe(false);

    await send(alert('staging', 'eeee000000000005'));
    await send(alert('prod-eu', 'ffff000000000006'));
    const down = await thread('CALERTS');
    const up = await thread('CPROD');
    expect(JSON.stringify(down.reply.blocks)).toContain('partial: some cluster queries failed');
    expect(up.reply.metadata?.event_payload).toMatchObject({ root_cause: 'OOM_LIMIT' });
    expect(JSON.stringify(up.reply.blocks)).not.toContain('partial');
    expect(JSON.stringify(up.reply.blocks)).toContain('256Mi');
  });

  it('a cluster that hangs: /readyz answers within its timeout and stays ready, the other is diagnosed at once', async () => {
    (staging as Sandbox).setFaults([{ hang: true }]);
    const started = performance.now();
    const ready = await fetch(`${medic.url}/readyz`);
    const readyMs = performance.now() - started;
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: { kubernetes: { clusters: Record<string, { ok: boolean }> } } };
    expect(body.checks.kubernetes.clusters).toMatchObject({ 'prod-eu': { ok: true }, staging: { ok: false } });
    expect(readyMs).toBeLessThan(4000);
    const sent = performance.now();
    await send(alert('prod-eu', 'cdcd000000000009'));
    const up = await thread('CPROD');
    expect(up.reply.metadata?.event_payload).toMatchObject({ root_cause: 'OOM_LIMIT' });
    expect(performance.now() - sent).toBeLessThan(5000);
  });

  it("a hanging cluster's diagnoses do not hold up the other's Kubernetes requests", async () => {
    (staging as Sandbox).setFaults([{ hang: true }]);
    const hanging = Array.from({ length: 20 }, (_, i) => alert('staging', `ee${String(i).padStart(14, '0')}`));
    for (const body of hanging) await send(body);
    // Let the staging diagnoses take whatever they take before prod-eu's alert arrives.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = performance.now();
    await send(alert('prod-eu', 'cdcd000000000010'));
    const up = await thread('CPROD');
    expect(up.reply.metadata?.event_payload).toMatchObject({ root_cause: 'OOM_LIMIT' });
    expect(JSON.stringify(up.reply.blocks)).not.toContain('partial');
    expect(performance.now() - sent).toBeLessThan(4000);
  });
});
