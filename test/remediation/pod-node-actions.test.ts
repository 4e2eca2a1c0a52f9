import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/settings.js';
import type { MedicError } from '../../src/errors.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { createRemediation } from '../../src/remediation/index.js';
import { connect, silentLogger } from '../support/redis.js';
import { action, type Harness, proposalFrom, startHarness } from './fixtures.js';

const run = promisify(execFile);

describe('remediation of pods and nodes, through the real client against the sandbox', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const cordon = async (node: string) => {
    const proposed = action('cordon-node', { node });
    const prepared = await h.remediation.prepare(proposed);
    if (!prepared.ok) return prepared;
    return h.remediation.execute(proposalFrom(proposed, prepared));
  };

  it('delete-pod: deletes exactly that pod (dry run first leaves it in place)', async () => {
    const proposed = action('delete-pod', { namespace: 'ads', pod: 'api-7c6b5d4f3-x2x2x' });
    const prepared = await h.remediation.prepare(proposed);
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.diff[0]).toMatchObject({ before: 'Running on node-a1' });
    expect(h.cluster.sandbox.store.get('v1', 'Pod', 'ads', 'api-7c6b5d4f3-x2x2x')).toBeDefined();
    const outcome = await h.remediation.execute(proposalFrom(proposed, prepared));
    expect(outcome.message).toMatch(/ReplicaSet api-7c6b5d4f3 replaces it/);
    expect(h.cluster.sandbox.store.get('v1', 'Pod', 'ads', 'api-7c6b5d4f3-x2x2x')).toBeUndefined();
    expect(h.cluster.sandbox.store.get('v1', 'Pod', 'ads', 'debug-shell')).toBeDefined();
  });

  it('delete-pod: a pod without a controller is refused (it would not come back)', async () => {
    const prepared = await h.remediation.prepare(action('delete-pod', { namespace: 'ads', pod: 'debug-shell' }));
    expect(prepared).toEqual({
      ok: false,
      reason: 'Pod ads/debug-shell has no controller: deleted, it would not come back',
    });
  });

  it('delete-pod: a pod replaced by a new one with the same name since the proposal is not deleted', async () => {
    const proposed = action('delete-pod', { namespace: 'ads', pod: 'api-7c6b5d4f3-x2x2x' });
    const prepared = await h.remediation.prepare(proposed);
    const proposal = proposalFrom(proposed, prepared);
    const pod = h.stored('v1', 'Pod', 'ads', 'api-7c6b5d4f3-x2x2x');
    const type = h.cluster.sandbox.store.typeOf(pod as never);
    h.cluster.sandbox.store.delete(type, 'ads', 'api-7c6b5d4f3-x2x2x');
    h.cluster.sandbox.store.create({
      ...pod,
      metadata: { ...pod.metadata, uid: '99999999-9999-4999-8999-999999999999', resourceVersion: undefined },
    } as never);
    const error = (await h.remediation.execute(proposal).catch((e: unknown) => e)) as MedicError;
    expect(error.code).toBe('PROPOSAL_STALE');
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/metadata.uid/);
    expect(h.cluster.sandbox.store.get('v1', 'Pod', 'ads', 'api-7c6b5d4f3-x2x2x')).toBeDefined();
  });

  it('cordon-node: marks the node unschedulable, as kubectl reads it back', async () => {
    const outcome = await cordon('node-b1');
    expect(outcome).toMatchObject({ ok: true, message: 'Node node-b1 cordoned' });
    const node = h.stored('v1', 'Node', undefined, 'node-b1');
    expect(node.spec.unschedulable).toBe(true);
    expect(node.metadata.annotations['medic.dev/cordoned-at']).toBeTruthy();
    const { stdout } = await run('kubectl', [
      `--server=${h.cluster.sandbox.url}`,
      'get',
      'node',
      'node-b1',
      '-o',
      'jsonpath={.spec.unschedulable}',
    ]);
    expect(stdout).toBe('true');
    const table = await run('kubectl', [`--server=${h.cluster.sandbox.url}`, 'get', 'node', 'node-b1', '--no-headers']);
    expect(table.stdout).toMatch(/SchedulingDisabled/);
    expect(h.stored('v1', 'Node', undefined, 'node-b2').spec.unschedulable).toBeUndefined();
  });

  it('cordon-node: never more than half of a zone', async () => {
    expect(await cordon('node-a1')).toMatchObject({ ok: true });
    const refused = await cordon('node-a2');
    expect(refused).toMatchObject({ ok: false, rail: 'zone-half' });
    expect((refused as { reason: string }).reason).toMatch(
      /more than half of zone zone-a unschedulable \(2 of 2 nodes\)/,
    );
    expect(await cordon('node-c1')).toMatchObject({ ok: false, rail: 'zone-half' });
    expect(h.stored('v1', 'Node', undefined, 'node-a2').spec.unschedulable).toBeUndefined();
  });

  it('cordon-node: never more than remediation.maxCordonNodes cordoned by Medic, checked again at execution', async () => {
    expect(await cordon('node-a1')).toMatchObject({ ok: true });
    // Both proposals are made while only one node is cordoned; the second approval must still be refused.
    const first = action('cordon-node', { node: 'node-b1' });
    const second = action('cordon-node', { node: 'node-b2' });
    const p1 = proposalFrom(first, await h.remediation.prepare(first));
    const p2 = proposalFrom(second, await h.remediation.prepare(second));
    await h.remediation.execute(p1);
    const error = (await h.remediation.execute(p2).catch((e: unknown) => e)) as MedicError;
    expect(error.code).toBe('GUARD_RAIL');
    expect(error.field).toBe('remediation.maxCordonNodes');
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/at most 2 node\(s\) cordoned and already has 2 \(node-a1, node-b1\)/);
    expect(h.stored('v1', 'Node', undefined, 'node-b2').spec.unschedulable).toBeUndefined();
  });

  it('cordon-node: two workers approving at once cannot both pass the blast-radius check', async () => {
    await h.close();
    h = await startHarness({ settings: { remediation: { maxCordonNodes: 1 } } });
    const redis = connect('store');
    try {
      const otherWorker = createRemediation({
        writer: createClusterWriter(h.cluster.apis),
        settings: settingsSchema.parse({ remediation: { maxCordonNodes: 1 } }),
        redis,
        keyPrefix: h.prefix,
        logger: silentLogger,
      });
      const first = action('cordon-node', { node: 'node-b1' });
      const second = action('cordon-node', { node: 'node-b2' });
      const p1 = proposalFrom(first, await h.remediation.prepare(first));
      const p2 = proposalFrom(second, await otherWorker.prepare(second));
      const results = await Promise.allSettled([h.remediation.execute(p1), otherWorker.execute(p2)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'GUARD_RAIL', field: 'remediation.maxCordonNodes' });
      const cordoned = ['node-b1', 'node-b2'].filter((n) => h.stored('v1', 'Node', undefined, n).spec.unschedulable);
      expect(cordoned).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });
});
