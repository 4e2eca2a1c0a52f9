/**
 * A dry run plans on the answers the diagnosis just read (the client's shared answers, src/kube/reader-calls.ts);
 * execution reads the cluster as it is now. Real engine, client, sandbox and Redis.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PLAYBOOKS } from '../../playbooks/index.js';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { settingsSchema } from '../../src/config/settings.js';
import { createPlaybookEngine } from '../../src/diagnosis/engine.js';
import type { MedicError } from '../../src/errors.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createSharedCache, DEFAULT_ANSWER_TTL_MS } from '../../src/kube/reader-calls.js';
import { createClusterWriter, type Deployment } from '../../src/kube/writer.js';
import { createRemediation, type Remediation } from '../../src/remediation/index.js';
import type { SandboxOptions } from '../../src/sandbox/index.js';
import type { ProposedAction } from '../../src/types.js';
import { actionKey } from '../../src/vocabulary.js';
import { readScenarioPayload } from '../support/alerts.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';
import { action, clusterObjects, proposalFrom } from './fixtures.js';

interface Setup {
  cluster: TestCluster;
  remediation: Remediation;
  /** The clock of the client's shared answers. */
  clock: { now: number };
  close(): Promise<void>;
}

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

async function start(source: { scenario: string } | SandboxOptions): Promise<Setup> {
  const clock = { now: 1_000_000 };
  const cluster = await startTestCluster(source, {
    answers: createSharedCache(DEFAULT_ANSWER_TTL_MS, () => clock.now),
  });
  const redis = connect('store');
  const prefix = uniquePrefix('shared-reads');
  const remediation = createRemediation({
    writer: createClusterWriter(cluster.apis),
    settings: settingsSchema.parse({}),
    redis,
    keyPrefix: prefix,
    logger: silentLogger,
  });
  setup = {
    cluster,
    remediation,
    clock,
    async close() {
      await cluster.close();
      await deleteKeysUnder(prefix);
      redis.disconnect();
    },
  };
  return setup;
}

/** Requests the sandbox serves while `run` runs, by route. */
async function served(cluster: TestCluster, run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = cluster.sandbox.requests().byRoute;
  await run();
  return Object.fromEntries(
    Object.entries(cluster.sandbox.requests().byRoute)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

describe('remediation reads shared with the diagnosis', () => {
  it.each([
    ['volume-attach-zone-outage', 'cordon-node'],
    ['oom-limit', 'set-memory-limit'],
  ])('%s: the dry run of the %s a diagnosis proposes costs only its PATCH', async (scenario, kind) => {
    const { cluster, remediation } = await start({ scenario });
    const engine = createPlaybookEngine({
      playbooks: PLAYBOOKS,
      reader: createClusterReader(cluster.apis),
      settings: settingsSchema.parse({}),
      logger: silentLogger,
    });
    const actions = new Map<string, ProposedAction>();
    for (const event of toAlertEvents(webhookPayloadSchema.parse(readScenarioPayload(scenario)), Date.now())) {
      const diagnosis = await engine.diagnose(event, AbortSignal.timeout(20_000));
      for (const a of diagnosis.actions) actions.set(actionKey(a.kind, a.params), a);
    }
    const proposed = [...actions.values()].filter((a) => a.kind === kind);
    expect(proposed.length).toBeGreaterThan(0);

    const requests = await served(cluster, async () => {
      for (const a of proposed) expect(await remediation.prepare(a)).toMatchObject({ ok: true });
    });
    expect(Object.keys(requests).every((route) => route.startsWith('PATCH '))).toBe(true);
    expect(Object.values(requests).reduce((sum, n) => sum + n, 0)).toBe(proposed.length);
  });

  it("rollout-undo after a crash loop's reads (the pod, its Deployment, the namespace's ReplicaSets) costs only its PATCH", async () => {
    // crashloop-config-error's previous ReplicaSet has no labels, so the plan's selected list (as kubectl's) lacks
    // it on any API server; the harness cluster's ReplicaSets carry their template's labels, as real ones do.
    const { cluster, remediation } = await start({ objects: clusterObjects() });
    const reader = createClusterReader(cluster.apis).scoped();
    const pod = await reader.getPod('ads', 'api-7c6b5d4f3-x2x2x');
    const workload = await reader.workloadOf(pod ?? expect.fail('no pod'));
    expect(workload?.kind).toBe('Deployment');
    await reader.replicaSetsOf(workload?.object as Deployment);

    const undo = action('rollout-undo', { namespace: 'ads', workload: 'Deployment/api' });
    const requests = await served(cluster, async () => {
      expect(await remediation.prepare(undo)).toMatchObject({ ok: true });
    });
    expect(requests).toEqual({ 'PATCH /apis/apps/v1/namespaces/ads/deployments/api': 1 });
  });

  it('execution does not use the answers the dry run used: a change made elsewhere since makes it stale', async () => {
    const { cluster, remediation, clock } = await start({ objects: clusterObjects() });
    const limit = (value: string) =>
      action('set-memory-limit', { namespace: 'ads', workload: 'Deployment/api', container: 'app', limit: value });
    const proposal = proposalFrom(limit('512Mi'), await remediation.prepare(limit('512Mi')));

    // Someone else's client (kubectl, a pipeline) raises the limit: Medic's shared answers do not know.
    const elsewhere = createClusterWriter(createKubeApis(loadKubeConfig({ server: cluster.sandbox.url })));
    const patch = {
      spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '384Mi' } } }] } } },
    };
    await elsewhere.patchWorkload('ads', 'Deployment', 'api', patch, 'strategic', { dryRun: false });

    // A dry run within the TTL still plans on the answer read before the change (the price of sharing)...
    const planned = await remediation.prepare(limit('768Mi'));
    expect(planned.ok && planned.diff[0]).toMatchObject({ before: '256Mi', after: '768Mi' });

    // ...execution reads the Deployment again, sees the change and refuses, though the answer is still fresh.
    clock.now += 1000;
    const error = await remediation.execute(proposal).then(
      () => expect.fail('expected PROPOSAL_STALE'),
      (e: unknown) => e as MedicError,
    );
    expect(error).toMatchObject({ code: 'PROPOSAL_STALE', permanent: true });
    expect(error.message).toMatch(/limits\.memory was 256Mi, now 384Mi/);
    const stored = cluster.sandbox.store.get('apps/v1', 'Deployment', 'ads', 'api') as Record<string, any>;
    expect(stored.spec.template.spec.containers[0].resources.limits.memory).toBe('384Mi');
  });
});
