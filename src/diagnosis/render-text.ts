/** A diagnosis as readable text for the terminal: root cause first, then evidence, then the proposed actions. */
import type { Diagnosis } from '../types.js';

export function renderDiagnosisText(d: Diagnosis): string {
  const target = d.target
    ? `${d.target.kind} ${d.target.namespace ? `${d.target.namespace}/` : ''}${d.target.name}${d.target.workload ? ` (${d.target.workload.kind} ${d.target.workload.name})` : ''}`
    : 'no target';
  const lines = [
    `${d.alert.alertname} [${d.alert.fingerprint}] on ${target}`,
    `  ${d.rootCause.code} (${d.rootCause.confidence} confidence, playbook ${d.playbook})${d.partial ? ' — partial: made without some information (see the evidence)' : ''}`,
    `  ${d.rootCause.summary}`,
  ];
  if (d.evidence.length > 0) {
    lines.push('  Evidence:');
    for (const e of d.evidence) lines.push(`    - [${e.kind}] ${e.text}`);
  }
  if (d.actions.length > 0) {
    lines.push('  Proposed actions:');
    for (const a of d.actions) lines.push(`    - ${a.title} (${a.kind}, risk ${a.risk}) ${JSON.stringify(a.params)}`);
  } else {
    lines.push('  No action proposed.');
  }
  return lines.join('\n');
}
