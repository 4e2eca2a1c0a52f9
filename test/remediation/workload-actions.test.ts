import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { action, type Harness, proposalFrom, startHarness } from './fixtures.js';

const run = promisify(execFile);

describe('remediation of workloads, through the real client against the sandbox', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const deployment = () => h.stored('apps/v1', 'Deployment', 'ads', 'api');
  const hpa = () => h.stored('autoscaling/v2', 'HorizontalPodAutoscaler', 'ads', 'api');

  async function prepareAndExecute(kind: Parameters<typeof action>[0], params: Record<string, unknown>) {
    const proposed = action(kind, params);
    const prepared = await h.remediation.prepare(proposed);
    expect(prepared, JSON.stringify(prepared)).toMatchObject({ ok: true });
    const outcome = await h.remediation.execute(proposalFrom(proposed, prepared));
    return { prepared, outcome };
  }

  it('scale: dry run changes nothing, then execute sets replicas and raises the HPA minimum with it', async () => {
    const proposed = action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 6 });
    const prepared = await h.remediation.prepare(proposed);
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.diff).toEqual([
      { field: 'Deployment/api spec.replicas', before: '2', after: '6' },
      { field: 'HorizontalPodAutoscaler/api spec.minReplicas', before: '2', after: '6' },
    ]);
    expect(prepared.notes.join(' ')).toMatch(/HorizontalPodAutoscaler api governs Deployment\/api/);
    expect(deployment().spec.replicas).toBe(2);
    expect(hpa().spec.minReplicas).toBe(2);

    const outcome = await h.remediation.execute(proposalFrom(proposed, prepared));
    expect(outcome.ok).toBe(true);
    expect(outcome.changes).toEqual(prepared.diff);
    expect(deployment().spec.replicas).toBe(6);
    expect(hpa().spec).toMatchObject({ minReplicas: 6, maxReplicas: 10 });

    const { stdout } = await run('kubectl', [
      `--server=${h.cluster.sandbox.url}`,
      '-n',
      'ads',
      'get',
      'deployment',
      'api',
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    expect(stdout).toBe('6');
  });

  it('scale: beyond the HPA maximum raises maxReplicas too; a StatefulSet scales through its subresource', async () => {
    const { outcome } = await prepareAndExecute('scale', {
      namespace: 'ads',
      workload: 'Deployment/api',
      replicas: 12,
    });
    expect(hpa().spec).toMatchObject({ minReplicas: 12, maxReplicas: 12 });
    expect(outcome.message).toBe('Deployment/api scaled 2 → 12 (HPA api minReplicas 12, maxReplicas 12)');
    await prepareAndExecute('scale', { namespace: 'ads', workload: 'StatefulSet/db', replicas: 5 });
    expect(h.stored('apps/v1', 'StatefulSet', 'ads', 'db').spec.replicas).toBe(5);
  });

  it('set-memory-limit: patches only the named container, keeping its request ≤ the new limit', async () => {
    const { prepared, outcome } = await prepareAndExecute('set-memory-limit', {
      namespace: 'ads',
      workload: 'Deployment/api',
      container: 'app',
      limit: '128Mi',
    });
    if (!prepared.ok) throw new Error('unreachable');
    expect(prepared.diff).toEqual([
      { field: 'spec.template.spec.containers[app].resources.limits.memory', before: '256Mi', after: '128Mi' },
      { field: 'spec.template.spec.containers[app].resources.requests.memory', before: '200Mi', after: '128Mi' },
    ]);
    expect(outcome.message).toMatch(/app/);
    const [app, sidecar] = deployment().spec.template.spec.containers;
    expect(app.resources).toEqual({ limits: { memory: '128Mi' }, requests: { memory: '128Mi' } });
    expect(app.image).toBe('ads/api:v2');
    expect(sidecar.resources).toEqual({ limits: { memory: '200Mi' }, requests: { memory: '100Mi' } });
  });

  it('set-memory-limit: raises a sidecar limit and leaves a request already below it alone', async () => {
    await prepareAndExecute('set-memory-limit', {
      namespace: 'ads',
      workload: 'Deployment/api',
      container: 'consul-client',
      limit: '500Mi',
    });
    const { stdout } = await run('kubectl', [
      `--server=${h.cluster.sandbox.url}`,
      '-n',
      'ads',
      'get',
      'deployment',
      'api',
      '-o',
      'jsonpath={.spec.template.spec.containers[?(@.name=="consul-client")].resources}',
    ]);
    expect(JSON.parse(stdout)).toEqual({ limits: { memory: '500Mi' }, requests: { memory: '100Mi' } });
    expect(deployment().spec.template.spec.containers[0].resources.limits.memory).toBe('256Mi');
  });

  it('set-memory-limit: reaches a native sidecar among the init containers of a DaemonSet', async () => {
    const { prepared } = await prepareAndExecute('set-memory-limit', {
      namespace: 'ads',
      workload: 'DaemonSet/agent',
      container: 'consul',
      limit: '500Mi',
    });
    if (!prepared.ok) throw new Error('unreachable');
    expect(prepared.diff).toEqual([
      { field: 'spec.template.spec.initContainers[consul].resources.limits.memory', before: '200Mi', after: '500Mi' },
    ]);
    const spec = h.stored('apps/v1', 'DaemonSet', 'ads', 'agent').spec.template.spec;
    expect(spec.initContainers[0]).toMatchObject({
      name: 'consul',
      restartPolicy: 'Always',
      resources: { limits: { memory: '500Mi' }, requests: { memory: '150Mi' } },
    });
    expect(spec.containers[0].resources.limits.memory).toBe('64Mi');
  });

  it('rollout-restart: sets the restartedAt annotation on the pod template and nothing else', async () => {
    const before = deployment();
    const { outcome } = await prepareAndExecute('rollout-restart', { namespace: 'ads', workload: 'Deployment/api' });
    const after = deployment();
    const stamp = after.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect(Date.parse(stamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(outcome.changes[0]).toMatchObject({ before: '(none)', after: stamp });
    expect(after.spec.template.spec).toEqual(before.spec.template.spec);
  });

  it('rollout-undo: puts the previous ReplicaSet template back, without pod-template-hash', async () => {
    const { prepared } = await prepareAndExecute('rollout-undo', { namespace: 'ads', workload: 'Deployment/api' });
    if (!prepared.ok) throw new Error('unreachable');
    expect(prepared.diff).toContainEqual({ field: 'revision', before: '2', after: '1 (ReplicaSet api-5d8f7c9b4)' });
    expect(prepared.diff).toContainEqual({
      field: 'spec.template.spec.containers[app].image',
      before: 'ads/api:v2',
      after: 'ads/api:v1',
    });
    const after = deployment();
    expect(after.spec.template.spec.containers[0].image).toBe('ads/api:v1');
    expect(after.spec.template.metadata.labels).toEqual({ app: 'api' });
    expect(after.metadata.annotations).toMatchObject({
      // The sandbox's deployment controller records the rollback as a new revision, as Kubernetes does.
      'deployment.kubernetes.io/revision': '3',
      'kubernetes.io/change-cause': 'image ads/api:v1',
    });
  });

  it('rollout-undo: an unknown toRevision is refused with the revisions that exist', async () => {
    const prepared = await h.remediation.prepare(
      action('rollout-undo', { namespace: 'ads', workload: 'Deployment/api', toRevision: 7 }),
    );
    expect(prepared).toEqual({ ok: false, reason: 'Deployment/api has no revision 7 (revisions: 2, 1)' });
  });

  it('patch-rollout-safety: preStop sleep on the main container only, grace period, replicas', async () => {
    const { prepared } = await prepareAndExecute('patch-rollout-safety', {
      namespace: 'ads',
      workload: 'Deployment/api',
      preStopSleepSeconds: 15,
      terminationGracePeriodSeconds: 60,
      replicas: 3,
    });
    if (!prepared.ok) throw new Error('unreachable');
    expect(prepared.diff).toEqual([
      { field: 'spec.template.spec.containers[app].lifecycle.preStop', before: '(none)', after: 'sleep 15s' },
      { field: 'spec.template.spec.terminationGracePeriodSeconds', before: '30', after: '60' },
      { field: 'spec.replicas', before: '2', after: '3' },
    ]);
    const after = deployment();
    const [app, sidecar] = after.spec.template.spec.containers;
    expect(app.lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
    expect(sidecar.lifecycle).toBeUndefined();
    expect(after.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
    expect(after.spec.replicas).toBe(3);
  });

  it('patch-rollout-safety: a grace period shorter than the wait is refused before any button', async () => {
    const prepared = await h.remediation.prepare(
      action('patch-rollout-safety', {
        namespace: 'ads',
        workload: 'Deployment/api',
        preStopSleepSeconds: 30,
        terminationGracePeriodSeconds: 20,
      }),
    );
    expect(prepared.ok).toBe(false);
    if (!prepared.ok) expect(prepared.reason).toMatch(/must exceed preStopSleepSeconds/);
  });
});

describe('a StatefulSet whose updateStrategy is OnDelete', () => {
  const es = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'search', namespace: 'ads' },
    spec: {
      replicas: 3,
      serviceName: 'search',
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: { app: 'search' } },
      template: {
        metadata: { labels: { app: 'search' } },
        spec: { containers: [{ name: 'es', image: 'elasticsearch:8.15.0', resources: { limits: { memory: '2Gi' } } }] },
      },
    },
  };

  it('refuses a restart that would replace no pod, and says a limit raise waits for each pod to be deleted', async () => {
    const h = await startHarness({ objects: [es] });
    try {
      const restart = await h.remediation.prepare(
        action('rollout-restart', { namespace: 'ads', workload: 'StatefulSet/search' }),
      );
      expect(restart.ok).toBe(false);
      if (!restart.ok) expect(restart.reason).toMatch(/updateStrategy OnDelete: a new restartedAt replaces no pod/);
      expect(h.stored('apps/v1', 'StatefulSet', 'ads', 'search').spec.template.metadata.annotations).toBeUndefined();

      const raise = await h.remediation.prepare(
        action('set-memory-limit', { namespace: 'ads', workload: 'StatefulSet/search', container: 'es', limit: '4Gi' }),
      );
      if (!raise.ok) throw new Error(raise.reason);
      expect(raise.notes.join(' ')).toContain(
        'StatefulSet/search has updateStrategy OnDelete: its pods keep the old limit until each is deleted',
      );
    } finally {
      await h.close();
    }
  });
});
