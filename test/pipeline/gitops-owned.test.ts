/**
 * GitOps-owned workloads through the real alert path: the Alertmanager webhook of `medic serve`, the OOM playbook
 * and the dry run against the sandbox cluster, the reply in a Slack thread (the simulator), and clicks through
 * the signed Slack path. The workload is the oom-limit scenario's Deployment, as Argo CD 3 leaves it when it
 * syncs a Helm chart (annotation tracking, the chart's labels).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createClusterWriter } from '../../src/kube/writer.js';
import { loadSnapshot } from '../../src/sandbox/snapshot.js';
import type { SlackSimulator } from '../../src/slack-simulator/index.js';
import type { TestMedic } from '../support/medic.js';
import { SCENARIOS_DIR, startTestCluster, type TestCluster } from '../support/sandbox.js';
import { startMedicWithSlack, waitForChange } from '../support/slack.js';

const SCENARIO = join(SCENARIOS_DIR, 'oom-limit');
const TRACKING_ID = 'argocd.argoproj.io/tracking-id';
const ARGO_APP = 'ads-prod:apps/Deployment:ads/ad-server';

let sim: SlackSimulator;
let medic: TestMedic;
let cluster: TestCluster;
afterEach(async () => {
  await medic?.close();
  await sim?.close();
  await cluster?.close();
});

interface Button {
  action_id: string;
  value: string;
  text: { text: string };
  confirm?: { text: { text: string } };
}
type Block = { type: string; text?: { text: string }; elements?: Button[] };
interface DeploymentView {
  metadata: { annotations?: Record<string, string> };
  spec: {
    replicas: number;
    template: { spec: { containers: { name: string; resources: { limits: { memory: string } } }[] } };
  };
}

/** The scenario's cluster; with `argo`, its Deployment carries what Argo CD writes when it syncs a chart. */
function clusterObjects(argo: boolean) {
  const objects = loadSnapshot(readFileSync(join(SCENARIO, 'cluster.yaml'), 'utf8'), 'cluster.yaml');
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'ad-server');
  if (!deployment?.metadata) throw new Error('the oom-limit scenario has no Deployment ad-server');
  if (argo) {
    deployment.metadata.labels = {
      ...deployment.metadata.labels,
      'app.kubernetes.io/instance': 'ad-server',
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.sh/chart': 'ad-server-3.2.0',
    };
    deployment.metadata.annotations = { ...deployment.metadata.annotations, [TRACKING_ID]: ARGO_APP };
  }
  return objects;
}

const liveDeployment = () =>
  cluster.sandbox.store.get('apps/v1', 'Deployment', 'ads', 'ad-server') as unknown as DeploymentView;
const liveLimit = () => liveDeployment().spec.template.spec.containers[0]?.resources.limits.memory;

/** Serves the cluster and starts Medic on it with Slack. */
async function start(options: { argo: boolean; settingsYaml?: string }) {
  cluster = await startTestCluster({ objects: clusterObjects(options.argo) });
  ({ medic, sim } = await startMedicWithSlack({
    kube: cluster.apis,
    channel: 'CADS',
    approvers: ['UAPPROVER'],
    ...(options.settingsYaml ? { settingsYaml: options.settingsYaml } : {}),
  }));
}

/** Starts Medic, posts the OOM alert to its webhook and returns the diagnosis reply. */
async function oomReply(options: { argo: boolean; settingsYaml?: string }) {
  await start(options);
  const res = await fetch(`${medic.url}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: readFileSync(join(SCENARIO, 'alert.json'), 'utf8'),
  });
  expect(res.status).toBe(202);
  const reply = await waitForChange(
    sim,
    () => sim.conversations().find((c) => c.id === 'CADS')?.messages[0]?.replies[0],
    20_000,
  );
  const blocks = reply.blocks as Block[];
  const payload = reply.metadata?.event_payload as { root_cause: string; proposals: { kind: string }[] };
  const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
  const sections = blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
  return { reply, payload, buttons, sections };
}

/** An approver clicks the reply's button (the signed block_actions path Slack takes). */
async function approve(messageTs: string, button: Button | undefined) {
  if (!button) throw new Error('the reply has no button');
  await sim.clickButton({
    userId: 'UAPPROVER',
    channel: 'CADS',
    messageTs,
    actionId: button.action_id,
    value: button.value,
  });
}

/** The YAML of a "Change to commit" section, as a person copies it out of Slack. */
function changeToCommit(sections: string[]): unknown {
  const section = sections.find((t) => t.includes('Change to commit:'));
  const yaml = section?.match(/```([\s\S]*)```/)?.[1];
  if (!yaml) throw new Error(`no change to commit in ${JSON.stringify(sections)}`);
  return parse(yaml.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

const memoryLimitChange = (limit: string) => ({
  spec: { template: { spec: { containers: [{ name: 'ad-server', resources: { limits: { memory: limit } } }] } } },
});

describe('an OOM on a Deployment that Argo CD syncs', () => {
  it('warn (the default): the button stays with the warning on it, and the change to commit is the live patch', async () => {
    const { reply, payload, buttons, sections } = await oomReply({ argo: true });
    expect(payload.root_cause).toBe('OOM_LIMIT');
    expect(payload.proposals.map((p) => p.kind)).toEqual(['set-memory-limit']);
    const warning = sections.find((t) => t.includes(':warning:'));
    expect(warning).toContain('Synced by Argo CD application ads-prod');
    expect(warning).toContain('self-heal');
    const proposed = sections.join('\n').match(/limits\.memory: 256Mi → (\d+Mi)/)?.[1];
    expect(proposed).toBeDefined();
    expect(changeToCommit(sections)).toEqual(memoryLimitChange(proposed ?? ''));
    const [button] = buttons;
    expect(buttons).toHaveLength(1);
    expect(button?.confirm?.text.text).toContain('Argo CD application ads-prod syncs it');

    await approve(reply.ts, button);
    await waitForChange(
      sim,
      () => /Done \(approved by <@UAPPROVER>\)/.test(JSON.stringify(sim.conversations())),
      20_000,
    );
    // The live patch is exactly the change shown to commit.
    expect(liveLimit()).toBe(proposed);
  });

  it('refuse: no button, the refusal names the owner, and the change to commit is shown instead', async () => {
    const { payload, buttons, sections } = await oomReply({
      argo: true,
      settingsYaml: 'managedBy: {argocd: refuse}\n',
    });
    expect(payload.root_cause).toBe('OOM_LIMIT');
    expect(payload.proposals).toEqual([]);
    expect(buttons).toEqual([]);
    const refusal = sections.find((t) => t.includes('No button for'));
    expect(refusal).toContain('Argo CD application ads-prod syncs it');
    const change = changeToCommit(sections) as ReturnType<typeof memoryLimitChange>;
    const limit = change.spec.template.spec.containers[0]?.resources.limits.memory ?? '';
    expect(limit).toMatch(/^\d+Mi$/);
    expect(change).toEqual(memoryLimitChange(limit));
    expect(liveLimit()).toBe('256Mi');
  });

  it('refuse: a click on a proposal made before Argo CD adopted the Deployment runs nothing', async () => {
    const { reply, buttons } = await oomReply({ argo: false, settingsYaml: 'managedBy: {argocd: refuse}\n' });
    const [button] = buttons;
    expect(button?.confirm).toBeUndefined();
    // Argo CD adopts the Deployment (its tracking annotation) after the proposal was made; the click carries
    // only the proposal id, and the execution re-reads the owner.
    await createClusterWriter(cluster.apis).patchWorkload(
      'ads',
      'Deployment',
      'ad-server',
      { metadata: { annotations: { [TRACKING_ID]: ARGO_APP } } },
      'merge',
      { dryRun: false },
    );
    await approve(reply.ts, button);
    const failed = await waitForChange(
      sim,
      () => JSON.stringify(sim.conversations()).match(/Failed \(approved by <@UAPPROVER>\): ([^"\\]*)/)?.[1],
      20_000,
    );
    expect(failed).toContain('Refused by guard rail managedBy.argocd: Argo CD application ads-prod owns it');
    expect(liveLimit()).toBe('256Mi');
    expect(liveDeployment().metadata.annotations?.[TRACKING_ID]).toBe(ARGO_APP);
  });

  it('/scale under refuse: nothing is proposed, and the answer holds the replicas to commit', async () => {
    await start({ argo: true, settingsYaml: 'managedBy: {argocd: refuse}\n' });
    const res = await sim.runSlashCommand({
      userId: 'UAPPROVER',
      channel: 'CADS',
      command: '/scale',
      text: 'ad-server 4 -n ads',
    });
    expect(res.status).toBe(200);
    const answer = await waitForChange(sim, () =>
      sim
        .conversations()
        .flatMap((c) => c.ephemerals)
        .find((e) => e.user === 'UAPPROVER'),
    );
    expect(answer.text).toContain('Cannot propose this scale: Refused by guard rail managedBy.argocd');
    expect(changeToCommit([answer.text])).toEqual({ spec: { replicas: 4 } });
    expect(sim.conversations().find((c) => c.id === 'CADS')?.messages ?? []).toEqual([]);
    expect(liveDeployment().spec.replicas).toBe(2);
  });
});
