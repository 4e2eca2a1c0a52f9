/**
 * Silenced groups through a real Alertmanager (Debian's prometheus-alertmanager): alerts pushed to it reach
 * Medic through its webhook and become a Slack thread (the simulator); a silence approved in the thread or made
 * with amtool shows in the parent, and an alert that ends while silenced (Alertmanager sends no resolve for it)
 * turns the parent resolved because Medic follows the group through Alertmanager's API.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, SlackSimulator } from '../../src/slack-simulator/index.js';
import { type RunningAlertmanager, startAlertmanager } from '../alertmanager/start-alertmanager.js';
import type { TestMedic } from '../support/medic.js';
import { freePort } from '../support/ports.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';
import { startMedicWithSlack, waitForChange } from '../support/slack.js';

const run = promisify(execFile);
const SCENARIO = join(import.meta.dirname, '../scenarios/deleted-deployment');
const CHANNEL = 'CSILENCE';
const INTERVAL_MS = 300;

interface PushedAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

let cluster: TestCluster;
let am: RunningAlertmanager;
let medic: TestMedic;
let sim: SlackSimulator;

/** Pushes alerts to Alertmanager as Prometheus does (POST /api/v2/alerts). */
async function push(alerts: PushedAlert[]): Promise<void> {
  const res = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(res.status).toBe(200);
}

const threads = () => sim.conversations().find((c) => c.id === CHANNEL)?.messages ?? [];
const parentText = (parent: MessageView | undefined) => JSON.stringify(parent?.blocks ?? []);
const threadOf = (alertname: string) => threads().find((m) => parentText(m).includes(alertname));

function waitForParent(alertname: string, predicate: (text: string) => boolean, what: string) {
  return waitForChange(
    sim,
    () => {
      const parent = threadOf(alertname);
      return parent && predicate(parentText(parent)) ? parent : undefined;
    },
    20_000,
  ).catch((error: Error) => {
    throw new Error(`${what}: ${error.message}; parent now: ${parentText(threadOf(alertname))}`);
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({ file: join(SCENARIO, 'cluster.yaml') });
  const amPort = await freePort();
  ({ medic, sim } = await startMedicWithSlack({
    kube: cluster.apis,
    channel: CHANNEL,
    approvers: ['UAPPROVER'],
    env: { ALERTMANAGER_URL: `http://127.0.0.1:${amPort}` },
    // Alertmanager starts with the test: its restart grace would hold every conclusion for two minutes.
    overrides: { silenceFollow: { intervalMs: INTERVAL_MS, restartGraceMs: 0 } },
  }));
  am = await startAlertmanager({ webhookUrl: `${medic.url}/alertmanager`, port: amPort });
}, 30_000);

afterAll(async () => {
  await am?.stop();
  await medic?.close();
  await sim?.close();
  await cluster?.close();
});

describe('a silenced alert group through a real Alertmanager', () => {
  it('approving the silence shows who and until when; the alert ending while silenced turns the parent resolved', async () => {
    const scenario = JSON.parse(readFileSync(join(SCENARIO, 'alert.json'), 'utf8'));
    const alert: PushedAlert = {
      labels: scenario.alerts[0].labels,
      annotations: scenario.alerts[0].annotations,
      generatorURL: scenario.alerts[0].generatorURL,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
    };
    await push([alert]);

    const reply = await waitForChange(
      sim,
      () =>
        threadOf('KubeDeploymentReplicasMismatch')?.replies.find((r) => JSON.stringify(r.blocks).includes('Silence')),
      20_000,
    );
    const payload = reply.metadata?.event_payload as { proposals: { id: string; kind: string }[] } | undefined;
    const silence = payload?.proposals.find((p) => p.kind === 'silence');
    expect(silence).toBeDefined();
    const button = (reply.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.value === silence?.id);
    expect(button).toBeDefined();
    const answer = await sim.clickButton({
      userId: 'UAPPROVER',
      channel: CHANNEL,
      messageTs: reply.ts,
      actionId: button?.action_id ?? '',
      value: button?.value ?? '',
    });
    expect(answer.status).toBe(200);

    const silenced = await waitForParent(
      'KubeDeploymentReplicasMismatch',
      (text) => text.includes('Silenced by <@UAPPROVER>'),
      'the parent never showed the approved silence',
    );
    const text = parentText(silenced);
    expect(text).toContain('(Medic silence) until <!date^');
    expect(text).toContain('🔕 KubeDeploymentReplicasMismatch');
    const { stdout } = await run('amtool', ['silence', 'query', '-o', 'json', `--alertmanager.url=${am.url}`]);
    const [created] = JSON.parse(stdout) as { endsAt: string; createdBy: string }[];
    expect(created?.createdBy).toBe('medic');
    // The parent shows Alertmanager's own end of the silence.
    expect(text).toContain(`^{date_short_pretty} {time}|${created?.endsAt.replace(/\.\d+Z$/, 'Z')}>`);

    // The alert ends (as Prometheus says so: endsAt in the past). Silenced, Alertmanager sends no resolve.
    await push([{ ...alert, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    const resolved = await waitForParent(
      'KubeDeploymentReplicasMismatch',
      (t) => t.includes('✅ Resolved'),
      'the parent never turned resolved',
    );
    expect(parentText(resolved)).not.toContain('Silenced');
    // The resolve came from Medic's follow, not from a webhook: no resolve was ever received.
    const records = await medic.store.list();
    expect(records.filter((r) => r.kind === 'resolve')).toEqual([]);
  }, 60_000);

  it('a group silenced with amtool (as in the UI) shows who made the silence until when, and not once it expires', async () => {
    await push([{ labels: { alertname: 'BackupJobLate', namespace: 'ops', job: 'backup', severity: 'warning' } }]);
    await waitForParent('BackupJobLate', (t) => t.includes('🔥 BackupJobLate'), 'no thread for the alert');

    const { stdout } = await run('amtool', [
      'silence',
      'add',
      'alertname=BackupJobLate',
      '--author=alice@example.com',
      '--comment=storage maintenance',
      '--duration=2h',
      `--alertmanager.url=${am.url}`,
    ]);
    const silenceId = stdout.trim();
    const shown = await waitForParent(
      'BackupJobLate',
      (t) => t.includes('Silenced in Alertmanager by alice@example.com'),
      'the parent never showed the silence made in Alertmanager',
    );
    expect(parentText(shown)).toContain('storage maintenance');
    expect(parentText(shown)).toContain(' until <!date^');

    // Expired in Alertmanager: the alert notifies again from now on, and the parent stops saying it is silenced.
    await run('amtool', ['silence', 'expire', silenceId, `--alertmanager.url=${am.url}`]);
    const after = await waitForParent(
      'BackupJobLate',
      (t) => !t.includes('Silenced') && t.includes('🔥 BackupJobLate'),
      'the parent kept the expired silence',
    );
    expect(parentText(after)).toContain('1 firing');
  }, 60_000);
});
