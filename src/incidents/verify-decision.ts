/**
 * Did the fix work? One pure rule over the root cause the action was proposed for, the diagnosis made again for
 * the same target after the change, and the target's state since the change (verify-facts.ts):
 * - `not fixed`: the same root cause, with evidence from after the change;
 * - `changed`: the playbooks now name another root cause;
 * - `fixed`: no playbook names the root cause again and nothing is wrong with the target since the change.
 * A wrong "fixed" is worse than none, so "fixed" needs both: the diagnosis gone and the target's state clean.
 */
import type { Diagnosis, Evidence, Target, VerificationOutcome } from '../types.js';
import type { RootCauseCode } from '../vocabulary.js';
import type { TargetFacts } from './verify-facts.js';

/**
 * Root causes whose evidence can predate the change: a container's last OOM kill, evicted pods left behind,
 * probe-failure events. The playbook naming one again is evidence after the change only together with a fact
 * from after it. Every other root cause is read from the present state (a waiting reason, a spec, an HPA's
 * replicas), so naming it again is itself evidence after the change.
 */
const EVIDENCE_MAY_PREDATE_CHANGE: ReadonlySet<RootCauseCode> = new Set([
  'OOM_LIMIT',
  'SIDECAR_OOM_IDENTITY_CHURN',
  'NODE_MEMORY_EVICTION',
  'EPHEMERAL_STORAGE_EVICTION',
  'PROBE_FAILURE',
]);

export interface DecisionInput {
  /** The root cause the action was proposed for. */
  origin: RootCauseCode;
  /** The target of the diagnosis that proposed it. */
  target: Target | null | undefined;
  /** The diagnosis made again after the change. */
  diagnosis: Diagnosis;
  facts: TargetFacts;
}

export interface Decision {
  outcome: VerificationOutcome;
  summary: string;
  evidence: Evidence[];
  /** What to do instead of a next step, when the reason there is none is not the playbook's (a change undone). */
  advice?: string;
}

function sameTarget(a: Target | null | undefined, b: Target | null | undefined): boolean {
  if (!a || !b) return true;
  const key = (t: Target) =>
    `${t.namespace ?? ''}/${t.workload ? `${t.workload.kind}/${t.workload.name}` : `${t.kind}/${t.name}`}`;
  return key(a) === key(b);
}

export function decideVerification(input: DecisionInput): Decision {
  const { diagnosis, facts } = input;
  const code = diagnosis.rootCause.code;
  const problems = facts.problems;
  const found = diagnosis.evidence;
  if (code === input.origin && sameTarget(input.target, diagnosis.target)) {
    if (problems.length > 0 || !EVIDENCE_MAY_PREDATE_CHANGE.has(code)) {
      return {
        outcome: 'not fixed',
        summary: `Still ${code}: ${diagnosis.rootCause.summary}`,
        evidence: [...problems, ...found],
      };
    }
    return {
      outcome: 'fixed',
      summary: `No new sign of ${code} since the change: what the diagnosis still cites happened before it.`,
      evidence: [...facts.healthy, ...found],
    };
  }
  if (code === 'UNKNOWN') {
    if (problems.length > 0) {
      return {
        outcome: 'not fixed',
        summary: `No playbook names ${input.origin} any more, but the target is still unwell since the change.`,
        evidence: [...problems, ...found],
      };
    }
    return {
      outcome: 'fixed',
      summary: `${input.origin} is gone: no playbook finds a problem any more.`,
      evidence: facts.healthy,
    };
  }
  return {
    outcome: 'changed',
    summary: `Now ${code}: ${diagnosis.rootCause.summary}`,
    evidence: [...problems, ...found],
  };
}
