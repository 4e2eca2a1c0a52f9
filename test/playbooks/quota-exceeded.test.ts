/**
 * QUOTA_EXCEEDED through the real engine, client and sandbox: a quota without status.used, a quota that is gone,
 * a ResourceQuota list that fails, and events that expired (only the ReplicaFailure condition is left).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { diagnoseIn, scenarioEvent, scenarioObjects, startSandbox, textOf } from './diagnose-scenario.js';

const QUOTA = 'test/scenarios/quota-short-on-memory';
const LIMITS = 'test/scenarios/limitrange-maximum-rollout';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function diagnose(dir: string, edit: (objects: Record<string, any>[]) => Record<string, any>[]) {
  sandbox = await startSandbox({ objects: edit(scenarioObjects(dir)) });
  return diagnoseIn(sandbox, scenarioEvent(dir));
}

describe('quota-exceeded playbook', () => {
  it('names the quota, the three numbers and the hard limit the missing pod needs', async () => {
    const d = await diagnose(QUOTA, (o) => o);
    expect(d.rootCause.code).toBe('QUOTA_EXCEEDED');
    expect(d.partial).toBe(false);
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toMatch(
      /StatefulSet kafka is short of 1 replica\(s\) \(3\/4 ready\).*ResourceQuota streaming-quota is used up for requests\.memory \(each pod asks 8Gi, 28Gi of 32Gi already used\).*requests\.memory to at least 36Gi/,
    );
    // Memory is short, CPU is not: the summary must not send anyone to raise CPU.
    expect(d.rootCause.summary).not.toMatch(/requests\.cpu/);
    expect(textOf(d)).toMatch(/requests\.cpu 4500m\/16, requests\.memory 28Gi\/32Gi \(no room for the next pod\)/);
  });

  it('a quota without status.used: partial, and says what was missing', async () => {
    const d = await diagnose(QUOTA, (objects) =>
      objects.map((o) => {
        if (o.kind !== 'ResourceQuota') return o;
        const { used: _, ...status } = o.status;
        return { ...o, status };
      }),
    );
    expect(d.rootCause.code).toBe('QUOTA_EXCEEDED');
    expect(d.partial).toBe(true);
    expect(textOf(d)).toMatch(/ResourceQuota streaming-quota \(hard: .*requests\.memory 32Gi.*\) has no status\.used/);
    // The numbers of the refusal itself are still reported.
    expect(textOf(d)).toMatch(/each pod asks 8Gi, 28Gi of 32Gi already used/);
  });

  it('a quota deleted since the refusal is said to be gone', async () => {
    const d = await diagnose(QUOTA, (objects) => objects.filter((o) => o.kind !== 'ResourceQuota'));
    expect(d.rootCause.code).toBe('QUOTA_EXCEEDED');
    expect(textOf(d)).toMatch(/ResourceQuota streaming-quota is no longer in streaming/);
  });

  it('a ResourceQuota list that fails is evidence and partial; the refusal still names the cause', async () => {
    sandbox = await startSandbox({ objects: scenarioObjects(QUOTA) });
    sandbox.setFaults([{ path: '/resourcequotas', status: 403 }]);
    const d = await diagnoseIn(sandbox, scenarioEvent(QUOTA));
    expect(d.rootCause.code).toBe('QUOTA_EXCEEDED');
    expect(d.partial).toBe(true);
    expect(textOf(d)).toMatch(
      /Cluster query failed, diagnosis made without it: Kubernetes API refused to list ResourceQuotas in streaming: .*\(HTTP 403\)/,
    );
  });

  it('a LimitRange refusal whose events expired is read from the ReplicaFailure condition', async () => {
    const d = await diagnose(LIMITS, (objects) => objects.filter((o) => o.kind !== 'Event'));
    expect(d.rootCause.code).toBe('QUOTA_EXCEEDED');
    expect(d.rootCause.summary).toMatch(
      /rollout of Deployment report-api is stuck.*LimitRange container-limits allows maximum memory 1Gi per Container, but the pod's limit is 2Gi/,
    );
  });

  it('a workload with all its pods is not QUOTA_EXCEEDED, whatever old refusals say', async () => {
    const d = await diagnose(QUOTA, (objects) =>
      objects.map((o) => (o.kind === 'StatefulSet' ? { ...o, spec: { ...o.spec, replicas: 3 } } : o)),
    );
    expect(d.rootCause.code).not.toBe('QUOTA_EXCEEDED');
  });
});
