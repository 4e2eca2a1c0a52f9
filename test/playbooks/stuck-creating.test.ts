/**
 * A pod left ContainerCreating is blocked when its kubelet warned about it (test/scenarios/
 * cni-out-of-ips-pods-stuck-creating: the AWS CNI out of IP addresses), or when it has been so for more than ten
 * minutes before the alert with nothing said (its events expired): then neither the Deployment's rollout hazards nor
 * anything else is proposed. A young pod without such a warning is on its way up, and the rollout findings stand.
 */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/cni-out-of-ips-pods-stuck-creating';
type Any = Record<string, any>;

const diagnoseScenario = scenarioDiagnoser();
const diagnose = (edit: (objects: Any[]) => Any[]) => diagnoseScenario(DIR, edit);

const sandboxWarning = (o: Any) => o.kind === 'Event' && o.reason === 'FailedCreatePodSandBox';
/** The pods created three minutes before the alert (14:31) instead of fifteen: still on their way up. */
const young = (objects: Any[]) =>
  objects.map((o) =>
    o.kind === 'Pod' && o.status?.phase === 'Pending'
      ? { ...o, metadata: { ...o.metadata, creationTimestamp: '2026-12-03T14:28:00Z' } }
      : o,
  );

describe('pods left ContainerCreating', () => {
  it('names the pod and the CNI error when the kubelet warned, and proposes nothing', async () => {
    const d = await diagnose((objects) => objects);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toMatch(
      /^Pod orders-api-5b7c9d8f4-r4t9x is stuck in ContainerCreating: FailedCreatePodSandBox \(.*failed to assign an IP address to container\)/,
    );
    expect(d.actions).toEqual([]);
  });

  it('keeps the rollout findings for pods still being created with no warning', async () => {
    const d = await diagnose((objects) => young(objects.filter((o) => !sandboxWarning(o))));
    expect(d.rootCause.code).toBe('UNSAFE_ROLLOUT');
    expect(d.actions.map((a) => a.kind)).toEqual(['patch-rollout-safety']);
  });

  it('names a pod left ContainerCreating long before the alert with nothing said about it, and proposes nothing', async () => {
    const d = await diagnose((objects) => objects.filter((o) => o.kind !== 'Event'));
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toMatch(
      /Pod orders-api-5b7c9d8f4-\w+ has been ContainerCreating since 2026-12-03T14:15:38Z on node .* \(15 minutes before the alert\), and no event left says why/,
    );
    expect(d.actions).toEqual([]);
  });

  it('does not count the scheduler warning from before the pod had a node', async () => {
    const d = await diagnose((objects) =>
      young(objects).map((o) =>
        sandboxWarning(o)
          ? {
              ...o,
              reason: 'FailedScheduling',
              message: '0/2 nodes are available: 2 Insufficient cpu.',
              source: { component: 'default-scheduler' },
            }
          : o,
      ),
    );
    expect(d.rootCause.code).toBe('UNSAFE_ROLLOUT');
    expect(textOf(d)).not.toMatch(/stuck/);
  });
});
