/** TARGET_NOT_FOUND: the object the alert names no longer exists; says what was looked for and what is left of it. */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { eventEvidence } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { ReplicaSet } from '../src/kube/reader.js';
import type { Evidence, ProposedAction } from '../src/types.js';

export const targetNotFound: Playbook = {
  name: 'target-not-found',
  rootCauses: ['TARGET_NOT_FOUND'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target || target.found) return null;
    const evidence: Evidence[] = [
      { kind: 'status', text: `Looked for ${target.description}: it does not exist in the cluster (any more)` },
    ];
    const events = await ctx.read(ctx.reader.eventsFor(target.namespace, target.kind, target.name), []);
    for (const e of events.slice(-3)) evidence.push(eventEvidence(e));
    if (target.kind === 'Pod' && target.namespace) {
      // A Deployment pod is named <replicaset>-<suffix>: say what became of its ReplicaSet.
      const rsName = target.name.replace(/-[a-z0-9]{5}$/, '');
      if (rsName !== target.name) {
        const rs = await ctx.read(ctx.reader.getWorkload(target.namespace, 'ReplicaSet', rsName), null);
        if (rs) {
          const obj = rs.object as ReplicaSet;
          const owner = obj.metadata?.ownerReferences?.find((r) => r.controller);
          const revision = obj.metadata?.annotations?.['deployment.kubernetes.io/revision'];
          evidence.push({
            kind: 'status',
            text: `Its ReplicaSet ${rsName}${revision ? ` (revision ${revision})` : ''}${owner ? ` of ${owner.kind} ${owner.name}` : ''} now wants ${obj.spec?.replicas ?? 0} pod(s)`,
          });
        }
      }
    }
    const labels = ctx.event.alert.labels;
    // The labels that named the object, never the exporter's (its pod name changes on every restart of it).
    const matchers = ['alertname', ...(namedTarget(labels)?.from ?? [])]
      .filter((k) => labels[k] !== undefined)
      .map((name) => ({ name, value: labels[name] ?? '', isRegex: false, isEqual: true }));
    const actions: ProposedAction[] =
      ctx.event.alert.status === 'firing'
        ? [
            {
              kind: 'silence',
              title: `Silence ${labels.alertname ?? 'this alert'} for ${target.name} for 2h while it resolves`,
              params: { matchers, duration: '2h' },
              risk: 'low',
            },
          ]
        : [];
    const summary = `${target.description} no longer exists, so the alert is about something already gone (deleted or replaced); nothing to fix on it. Check its replacement if the alert keeps firing.`;
    return { rootCause: { code: 'TARGET_NOT_FOUND', summary, confidence: 'high' }, evidence, actions };
  },
};
