/**
 * The one UNKNOWN: how Medic says it could not decide, whoever says it — the `unknown` playbook (the last in
 * the registry), the engine when no playbook answered, and the fallback engine when no cluster is configured.
 * Always low confidence; the evidence says what was looked at, so a person knows where to start.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Evidence } from '../types.js';
import type { PlaybookResult } from './playbook.js';
import { describeTarget, namedTarget } from './target.js';

export function unknownResult(summary: string, evidence: Evidence[] = []): PlaybookResult {
  return { rootCause: { code: 'UNKNOWN', summary, confidence: 'low' }, evidence, actions: [] };
}

/** What the alert alone says (no cluster read): since when it fires, about which object, and its summary. */
export function alertEvidence(event: AlertEvent): Evidence[] {
  const { alert } = event;
  const named = namedTarget(alert.labels);
  const about = named ? describeTarget(named) : 'no Kubernetes object named in its labels';
  const alertname = alert.labels.alertname ?? '(no alertname)';
  const evidence: Evidence[] = [
    { kind: 'status', text: `Alert ${alertname} is firing since ${alert.startsAt} for ${about}.` },
  ];
  const summary = alert.annotations.summary ?? alert.annotations.description;
  if (summary) evidence.push({ kind: 'status', text: `Alert summary: ${summary}` });
  return evidence;
}
