/**
 * An HPA at its maximum in a namespace whose ResourceQuota is (nearly) used up
 * (test/scenarios/hpa-at-max-namespace-quota-full): the raise stays within what the quota admits, and none is
 * proposed when it admits no more pods.
 */
import { describe, expect, it } from 'vitest';
import { quotaRoom } from '../../src/diagnosis/quota.js';
import type { PodSpec } from '../../src/kube/reader.js';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/hpa-at-max-namespace-quota-full';
const diagnoseScenario = scenarioDiagnoser();

const hard = (values: Record<string, string>) =>
  eachObject((o) => {
    if (o.kind === 'ResourceQuota') {
      Object.assign(o.spec.hard, values);
      Object.assign(o.status.hard, values);
    }
  });

describe('an HPA raise bounded by the namespace quota', () => {
  it('proposes nothing when the quota admits no more pods', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('HPA_MAXED_OUT');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'ResourceQuota search-compute leaves no room for another pod (requests.cpu 5600m of 6 used, each pod asks 700m)',
    );
  });

  it('raises only as far as the quota admits (cpu and memory: room for 2 more)', async () => {
    const d = await diagnoseScenario(DIR, hard({ 'requests.cpu': '7' }));
    expect(d.actions).toMatchObject([{ kind: 'set-hpa-max', params: { maxReplicas: 10 } }]);
    expect(d.rootCause.summary).toContain('leaves room for only 2 more pod(s)');
  });

  it('leaves the node-bound raise alone when the quota has room for it', async () => {
    const d = await diagnoseScenario(
      DIR,
      hard({ 'requests.cpu': '20', 'requests.memory': '64Gi', 'limits.memory': '64Gi' }),
    );
    expect(d.actions).toMatchObject([{ kind: 'set-hpa-max', params: { maxReplicas: 12 } }]);
  });

  it('counts pods, requests and limits, and skips a quota not yet counted', () => {
    const spec: PodSpec = {
      containers: [
        { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } } },
        { name: 'b', resources: { limits: { cpu: '250m', memory: '256Mi' } } },
      ],
    };
    const quota = (hard: Record<string, string>, used?: Record<string, string>) => ({
      metadata: { name: 'q' },
      spec: { hard },
      ...(used ? { status: { hard, used } } : {}),
    });
    expect(quotaRoom([quota({ pods: '10' }, { pods: '9' })], spec)).toMatchObject({ fits: 1, resource: 'pods' });
    // b has no cpu request: its limit is the request (the API server's default).
    expect(quotaRoom([quota({ 'requests.cpu': '2' }, { 'requests.cpu': '1' })], spec)?.fits).toBe(1);
    expect(quotaRoom([quota({ 'limits.memory': '10Gi' }, { 'limits.memory': '4Gi' })], spec)?.fits).toBe(2);
    expect(quotaRoom([quota({ pods: '10' })], spec)).toBeNull();
    const bestEffortOnly = {
      ...quota({ pods: '0' }, { pods: '0' }),
      spec: { hard: { pods: '0' }, scopes: ['BestEffort'] },
    };
    expect(quotaRoom([bestEffortOnly], spec)).toBeNull();
  });
});
