import { afterEach, describe, expect, it } from 'vitest';
import type { MedicError } from '../../src/errors.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { action, type Harness, type HarnessOptions, proposalFrom, startHarness } from './fixtures.js';

const limitAction = (limit: string, container = 'app') =>
  action('set-memory-limit', { namespace: 'ads', workload: 'Deployment/api', container, limit });

describe('remediation safety: dry runs, stale proposals, API errors, allow-lists', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}) => {
    h = await startHarness(options);
    return h;
  };
  afterEach(async () => {
    await h?.close();
  });
  const appLimit = () => h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.template.spec.containers[0].resources;
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as MedicError,
    );

  it('a container that does not exist means no button, with the containers that do', async () => {
    await start();
    const prepared = await h.remediation.prepare(limitAction('512Mi', 'nope'));
    expect(prepared).toEqual({
      ok: false,
      reason: 'Deployment/api has no container named "nope" (it has: app, consul-client)',
    });
  });

  it('invalid parameters are refused naming the field, and change nothing', async () => {
    await start();
    const prepared = await h.remediation.prepare(limitAction('lots'));
    expect(prepared.ok).toBe(false);
    if (!prepared.ok) expect(prepared.reason).toMatch(/params\.limit must be a memory quantity/);
    const zero = await h.remediation.prepare(limitAction('0Mi'));
    expect(zero).toMatchObject({ ok: false, reason: 'memory limit "0Mi" must be above zero' });
    expect(appLimit().limits.memory).toBe('256Mi');
  });

  it('a dry run the API server rejects (422) means no button, with the API reason', async () => {
    await start();
    h.cluster.sandbox.setFaults([{ method: 'PATCH', path: '/deployments/api$', status: 422 }]);
    const prepared = await h.remediation.prepare(limitAction('512Mi'));
    expect(prepared.ok).toBe(false);
    if (!prepared.ok)
      expect(prepared.reason).toMatch(/Kubernetes API refused to patch Deployment ads\/api: .*HTTP 422/);
  });

  it('a change the API server would reject (422 on the dry run) means no button, with its reason', async () => {
    await start();
    // An old revision from before the pod labels changed: its template no longer matches the selector.
    const current = h.stored('apps/v1', 'ReplicaSet', 'ads', 'api-5d8f7c9b4');
    current.metadata = { ...current.metadata, name: 'api-0ld0ld0ld', resourceVersion: undefined, uid: undefined };
    current.metadata.annotations['deployment.kubernetes.io/revision'] = '9';
    current.spec.template.metadata.labels = { app: 'api-legacy' };
    h.cluster.sandbox.store.create(current as never);
    const before = h.stored('apps/v1', 'Deployment', 'ads', 'api');
    const prepared = await h.remediation.prepare(
      action('rollout-undo', { namespace: 'ads', workload: 'Deployment/api', toRevision: 9 }),
    );
    expect(prepared.ok).toBe(false);
    if (!prepared.ok) {
      expect(prepared.reason).toMatch(
        /refused to patch Deployment ads\/api: .*selector.* does not match template .*HTTP 422/,
      );
    }
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api')).toEqual(before);
  });

  it('a proposal whose object changed after prepare is refused and changes nothing', async () => {
    await start();
    const stale = limitAction('512Mi');
    const proposal = proposalFrom(stale, await h.remediation.prepare(stale));
    // Someone else changes the same field in between.
    const other = limitAction('384Mi');
    await h.remediation.execute(proposalFrom(other, await h.remediation.prepare(other)));
    const error = await failure(h.remediation.execute(proposal));
    expect(error.code).toBe('PROPOSAL_STALE');
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/limits\.memory was 256Mi, now 384Mi/);
    expect(appLimit().limits.memory).toBe('384Mi');
  });

  it('scale: replicas changed by hand since the proposal make it stale; replicas moved by the HPA do not', async () => {
    await start();
    const other = createClusterWriter(h.cluster.apis);
    const scaleDb = action('scale', { namespace: 'ads', workload: 'StatefulSet/db', replicas: 6 });
    const dbProposal = proposalFrom(scaleDb, await h.remediation.prepare(scaleDb));
    await other.patchScale('ads', 'StatefulSet', 'db', 2, { dryRun: false });
    const error = await failure(h.remediation.execute(dbProposal));
    expect(error).toMatchObject({ code: 'PROPOSAL_STALE', permanent: true });
    expect(error.message).toMatch(/StatefulSet ads\/db changed since the proposal: spec.replicas was 3, now 2/);
    expect(h.stored('apps/v1', 'StatefulSet', 'ads', 'db').spec.replicas).toBe(2);

    const scaleApi = action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 6 });
    const apiProposal = proposalFrom(scaleApi, await h.remediation.prepare(scaleApi));
    await other.patchScale('ads', 'Deployment', 'api', 3, { dryRun: false }); // the HPA reacting to load
    const outcome = await h.remediation.execute(apiProposal);
    expect(outcome.changes[0]).toEqual({ field: 'Deployment/api spec.replicas', before: '3', after: '6' });
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.replicas).toBe(6);

    const again = action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 8 });
    const againProposal = proposalFrom(again, await h.remediation.prepare(again));
    await other.patchHorizontalPodAutoscaler('ads', 'api', { spec: { minReplicas: 7 } }, { dryRun: false });
    const hpaChanged = await failure(h.remediation.execute(againProposal));
    expect(hpaChanged.message).toMatch(/HorizontalPodAutoscaler\/api spec.minReplicas was 6, now 7/);
  });

  it.each([403, 422])('a %i from the API at execution is permanent and says why', async (status) => {
    await start();
    const proposed = limitAction('512Mi');
    const proposal = proposalFrom(proposed, await h.remediation.prepare(proposed));
    h.cluster.sandbox.setFaults([{ method: 'PATCH', status }]);
    const error = await failure(h.remediation.execute(proposal));
    expect(error.permanent).toBe(true);
    expect(error.status).toBe(status);
    expect(error.code).toBe(status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST');
    expect(error.message).toMatch(/Kubernetes API refused to patch Deployment ads\/api: injected fault/);
    expect(appLimit().limits.memory).toBe('256Mi');
  });

  it('a 500 at execution is transient; the retry succeeds and counts once against the circuit breaker', async () => {
    await start({ settings: { remediation: { maxExecutionsPerHour: 1 } } });
    const proposed = limitAction('512Mi');
    const proposal = proposalFrom(proposed, await h.remediation.prepare(proposed));
    h.cluster.sandbox.setFaults([{ method: 'PATCH', status: 500 }]);
    const error = await failure(h.remediation.execute(proposal));
    expect(error.permanent).toBe(false);
    expect(error.code).toBe('KUBE_API');
    h.cluster.sandbox.setFaults([]);
    const outcome = await h.remediation.execute(proposal);
    expect(outcome.ok).toBe(true);
    expect(appLimit().limits.memory).toBe('512Mi');
  });

  it('a retry after a failure halfway (HPA patched, scale failed) finishes the job instead of calling it stale', async () => {
    await start();
    const proposed = action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 6 });
    const proposal = proposalFrom(proposed, await h.remediation.prepare(proposed));
    h.cluster.sandbox.setFaults([{ method: 'PATCH', path: '/deployments/api/scale$', status: 503 }]);
    const error = await failure(h.remediation.execute(proposal));
    expect(error).toMatchObject({ code: 'KUBE_API', permanent: false });
    expect(h.stored('autoscaling/v2', 'HorizontalPodAutoscaler', 'ads', 'api').spec.minReplicas).toBe(6);
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.replicas).toBe(2);
    h.cluster.sandbox.setFaults([]);
    const outcome = await h.remediation.execute(proposal);
    expect(outcome.changes).toEqual([{ field: 'Deployment/api spec.replicas', before: '2', after: '6' }]);
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.replicas).toBe(6);
  });

  it('a job re-delivered after its change was applied reports it done, and does not apply it twice', async () => {
    await start();
    const proposed = limitAction('512Mi');
    const proposal = proposalFrom(proposed, await h.remediation.prepare(proposed));
    await h.remediation.execute(proposal);
    const patches = () => h.cluster.sandbox.requests().count('PATCH', /deployments\/api$/);
    const patchesBefore = patches();
    const again = await h.remediation.execute(proposal);
    expect(again.ok).toBe(true);
    expect(again.message).toMatch(/already has a 512Mi limit \(applied by an earlier attempt\)/);
    expect(again.changes).toEqual(proposal.diff);
    expect(patches()).toBe(patchesBefore);
  });

  it('kube-system is denied by default; namespaces and kinds follow medic.yaml', async () => {
    await start({ settings: { remediation: { namespaces: ['ads-*'], kinds: ['scale', 'rollout-restart'] } } });
    const restart = (namespace: string, workload: string) =>
      h.remediation.prepare(action('rollout-restart', { namespace, workload }));
    expect(await restart('kube-system', 'Deployment/coredns')).toMatchObject({
      ok: false,
      rail: 'remediation.denyNamespaces',
    });
    expect(await restart('ads', 'Deployment/api')).toMatchObject({
      ok: false,
      rail: 'remediation.namespaces',
      reason: 'Refused by guard rail remediation.namespaces: namespace ads is not in the namespaces Medic may change',
    });
    expect(await h.remediation.prepare(action('cordon-node', { node: 'node-b1' }))).toMatchObject({
      ok: false,
      rail: 'remediation.kinds',
    });
  });

  it('a proposal approved for a namespace that medic.yaml no longer allows is refused at execution', async () => {
    await start();
    const proposed = action('rollout-restart', { namespace: 'kube-system', workload: 'Deployment/coredns' });
    const proposal = { ...proposalFrom(proposed, { ok: true, diff: [], notes: [] }) };
    const error = await failure(h.remediation.execute(proposal));
    expect(error).toMatchObject({ code: 'GUARD_RAIL', field: 'remediation.denyNamespaces', permanent: true });
    expect(
      h.stored('apps/v1', 'Deployment', 'kube-system', 'coredns').spec.template.metadata.annotations,
    ).toBeUndefined();
  });

  it('scale stays within scale.min/max and scale.maxFactor', async () => {
    await start({ settings: { scale: { min: 1, max: 30, maxFactor: 4 } } });
    const scale = (replicas: number) =>
      h.remediation.prepare(action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas }));
    expect(await scale(40)).toMatchObject({ ok: false, rail: 'scale.max' });
    expect(await scale(0)).toMatchObject({ ok: false, rail: 'scale.min' });
    expect(await scale(9)).toMatchObject({
      ok: false,
      rail: 'scale.maxFactor',
      reason: expect.stringMatching(/2 → 9/),
    });
    expect(await scale(8)).toMatchObject({ ok: true });
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.replicas).toBe(2);
  });
});
