/**
 * Pods the kubelet rejects at admission (test/scenarios/pod-rejected-outofcpu-pinned-node-name,
 * rollout-stuck-unsafe-sysctl-rejected): never a rollout-safety patch; INSUFFICIENT_CAPACITY only when the
 * template pins the node, otherwise UNKNOWN quoting the kubelet.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const PINNED = 'test/scenarios/pod-rejected-outofcpu-pinned-node-name';
const SYSCTL = 'test/scenarios/rollout-stuck-unsafe-sysctl-rejected';
const diagnoseScenario = scenarioDiagnoser();

describe('pods the kubelet rejected at admission', () => {
  it('names the pinned node, what takes its room and the nodeSelector to use instead', async () => {
    const d = await diagnoseScenario(PINNED);
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('pod template sets spec.nodeName worker-2');
    expect(d.rootCause.summary).toContain('most of it taken by analytics/etl-runner-0 (cpu 5, memory 8Gi)');
    expect(d.rootCause.summary).toContain('nodeSelector (kubernetes.io/hostname: worker-2)');
  });

  it('is UNKNOWN naming the disagreement when the scheduler placed the pod (no nodeName in the template)', async () => {
    const d = await diagnoseScenario(
      PINNED,
      eachObject((o) => {
        if (o.kind === 'Deployment' || o.kind === 'ReplicaSet') delete o.spec.template.spec.nodeName;
      }),
    );
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('rejected by the kubelet on node worker-2 at admission');
    expect(d.rootCause.summary).toContain('the scheduler counted cpu on worker-2');
    expect(textOf(d)).not.toContain('preStop');
  });

  it('quotes the refused sysctl instead of patching the rollout', async () => {
    const d = await diagnoseScenario(SYSCTL);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('SysctlForbidden');
    expect(d.rootCause.summary).toContain('sets sysctl net.core.somaxconn (65535)');
  });

  it('leaves the rollout findings to a Deployment whose pods all run', async () => {
    const d = await diagnoseScenario(SYSCTL, (objects) =>
      objects.filter((o) => !(o.kind === 'Pod' && o.status?.reason === 'SysctlForbidden')),
    );
    expect(d.rootCause.code).not.toBe('UNKNOWN');
    expect(textOf(d)).not.toContain('SysctlForbidden');
  });

  it('takes a rejection from days before the alert as history, not as what blocks the workload', async () => {
    const d = await diagnoseScenario(
      SYSCTL,
      eachObject((o) => {
        if (o.kind === 'Pod' && o.status?.reason === 'SysctlForbidden')
          o.metadata.creationTimestamp = '2026-11-12T02:48:10Z';
      }),
    );
    expect(d.rootCause.summary).not.toContain('SysctlForbidden');
  });
});
