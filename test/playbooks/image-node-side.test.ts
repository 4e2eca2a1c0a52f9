/**
 * Pulls that fail on the node, not at the registry (test/scenarios/image-pull-node-disk-full-after-rollout): a full
 * image filesystem or the kubelet's own pull throttle fails every image alike, so no rollback is proposed.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/image-pull-node-disk-full-after-rollout';
const NODE = 'ip-172-31-8-201.us-west-2.compute.internal';
const diagnoseScenario = scenarioDiagnoser();

/** The scenario with every pull error replaced by `message`. */
const pullError = (message: string) =>
  eachObject((o) => {
    if (o.kind === 'Event' && /no space left/.test(o.message ?? '')) o.message = message;
    for (const s of o.status?.containerStatuses ?? [])
      if (/no space left/.test(s.state?.waiting?.message ?? '')) s.state.waiting.message = message;
  });

describe('image pulls that fail on the node', () => {
  it("names the node's full image disk and proposes no rollback", async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('IMAGE_PULL_FAILURE');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(`the disk that holds node ${NODE}'s images is full`);
    expect(d.rootCause.summary).toContain('no rollback is proposed');
  });

  it("names the kubelet's pull throttle", async () => {
    const d = await diagnoseScenario(DIR, pullError('Failed to pull image "x": pull QPS exceeded'));
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(`the kubelet on ${NODE} throttled its own pulls`);
  });

  it('still rolls back a tag the new revision brought that does not exist', async () => {
    const d = await diagnoseScenario(
      DIR,
      pullError(
        'Failed to pull image "594013725810.dkr.ecr.us-west-2.amazonaws.com/billing/invoice-worker:3.4.1": rpc error: code = NotFound desc = not found',
      ),
    );
    expect(d.actions.map((a) => a.kind)).toEqual(['rollout-undo']);
  });
});
