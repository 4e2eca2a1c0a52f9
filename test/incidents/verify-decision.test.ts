/** The rule that says whether a fix worked: fixed, not fixed or changed, from the new diagnosis and the facts. */
import { describe, expect, it } from 'vitest';
import { decideVerification } from '../../src/incidents/verify-decision.js';
import type { TargetFacts } from '../../src/incidents/verify-facts.js';
import type { Diagnosis, Target } from '../../src/types.js';
import type { RootCauseCode } from '../../src/vocabulary.js';

const target: Target = {
  kind: 'Pod',
  namespace: 'ads',
  name: 'ad-server-7c9d8f6b5-x2klp',
  workload: { kind: 'Deployment', name: 'ad-server' },
};
const newPod: Target = { ...target, name: 'ad-server-p4kvhqgcvr-qh2d6' };

function diagnosis(code: RootCauseCode, on: Target | null = newPod): Diagnosis {
  return {
    alert: { fingerprint: 'f1', alertname: 'KubeContainerOOMKilled', status: 'firing' },
    playbook: 'test',
    target: on,
    rootCause: { code, summary: `${code} summary`, confidence: 'high' },
    evidence: [{ kind: 'status', text: `${code} evidence` }],
    actions: [],
    partial: false,
  };
}

const clean: TargetFacts = {
  problems: [],
  healthy: [{ kind: 'status', text: 'Deployment ad-server: 2 of 2 replicas available' }],
  pods: ['ad-server-p4kvhqgcvr-qh2d6'],
};
const unwell: TargetFacts = {
  problems: [{ kind: 'status', text: 'ad-server in pod ad-server-p4kvhqgcvr-qh2d6 was terminated (OOMKilled)' }],
  healthy: [],
  pods: ['ad-server-p4kvhqgcvr-qh2d6'],
};

const decide = (code: RootCauseCode, facts: TargetFacts, origin: RootCauseCode = 'OOM_LIMIT', on?: Target | null) =>
  decideVerification({ origin, target, diagnosis: diagnosis(code, on), facts });

describe('did the fix work', () => {
  it('fixed: no playbook names a problem and the workload is well since the change', () => {
    const decision = decide('UNKNOWN', clean);
    expect(decision.outcome).toBe('fixed');
    expect(decision.summary).toBe('OOM_LIMIT is gone: no playbook finds a problem any more.');
    expect(decision.evidence).toEqual(clean.healthy);
  });

  it('not fixed: the same root cause on the same workload, with a kill after the change as evidence', () => {
    const decision = decide('OOM_LIMIT', unwell);
    expect(decision.outcome).toBe('not fixed');
    expect(decision.summary).toBe('Still OOM_LIMIT: OOM_LIMIT summary');
    expect(decision.evidence.map((e) => e.text)).toEqual([unwell.problems[0]?.text, 'OOM_LIMIT evidence']);
  });

  it('fixed: an OOM kill the diagnosis still cites happened before the change, and nothing since', () => {
    const decision = decide('OOM_LIMIT', clean);
    expect(decision.outcome).toBe('fixed');
    expect(decision.summary).toMatch(/what the diagnosis still cites happened before it/);
  });

  it('not fixed: a root cause read from the present state (an HPA at its maximum) is itself evidence', () => {
    expect(decide('HPA_MAXED_OUT', clean, 'HPA_MAXED_OUT').outcome).toBe('not fixed');
    expect(decide('UNSAFE_ROLLOUT', clean, 'UNSAFE_ROLLOUT').outcome).toBe('not fixed');
  });

  it('not fixed: no playbook names a cause, but the workload is unwell since the change', () => {
    const decision = decide('UNKNOWN', unwell);
    expect(decision.outcome).toBe('not fixed');
    expect(decision.evidence[0]).toEqual(unwell.problems[0]);
  });

  it('changed: the playbooks name another root cause, whether or not the pods look well', () => {
    const decision = decide('CRASHLOOP_APP_ERROR', unwell);
    expect(decision).toMatchObject({
      outcome: 'changed',
      summary: 'Now CRASHLOOP_APP_ERROR: CRASHLOOP_APP_ERROR summary',
    });
    expect(decide('UNSAFE_ROLLOUT', clean).outcome).toBe('changed');
  });

  it('changed: the same root cause on another workload is another problem', () => {
    const other: Target = { kind: 'Pod', namespace: 'ads', name: 'x', workload: { kind: 'Deployment', name: 'other' } };
    expect(decide('OOM_LIMIT', unwell, 'OOM_LIMIT', other).outcome).toBe('changed');
  });
});
