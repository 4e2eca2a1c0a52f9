/**
 * `rollout-undo`: what `kubectl rollout undo` does — put back the pod template of the Deployment's previous
 * ReplicaSet (or of `toRevision`), without its `pod-template-hash` label, and carry over its annotations.
 */
import type { Deployment, ReplicaSet } from '../../kube/writer.js';
import { changedFields, diffValues } from '../diff.js';
import { AlreadyInEffect, notApplicable } from '../errors.js';
import type { ActionHandler } from '../types.js';
import { fingerprint, manifestEdit, parseWorkloadRef, templateOf } from '../workload.js';

const REVISION = 'deployment.kubernetes.io/revision';
// Deployment annotations that belong to the Deployment, not to a revision (kubectl's annotationsToSkip).
const SKIPPED_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

const revisionOf = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION] ?? Number.NaN);

function selectorOf(deployment: Deployment): string {
  const labels = deployment.spec?.selector.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function annotationsFor(deployment: Deployment, rs: ReplicaSet): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata?.annotations ?? {}))
    if (SKIPPED_ANNOTATIONS.has(k)) result[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!SKIPPED_ANNOTATIONS.has(k)) result[k] = v;
  return result;
}

export const rolloutUndoAction: ActionHandler<'rollout-undo'> = {
  kind: 'rollout-undo',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace, toRevision } = params;
    const ref = parseWorkloadRef(params.workload);
    if (ref.kind !== 'Deployment') {
      throw notApplicable(`rollout-undo works on Deployments; ${ref.kind}/${ref.name} keeps its history elsewhere`);
    }
    const deployment = (await ctx.writer.readWorkload(namespace, 'Deployment', ref.name, ctx.signal)) as Deployment;
    const current = templateOf(deployment, ref);
    const uid = deployment.metadata?.uid;
    const owned = (await ctx.writer.listReplicaSets(namespace, selectorOf(deployment), ctx.signal))
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.uid === uid))
      .filter((rs) => Number.isInteger(revisionOf(rs)))
      .sort((a, b) => revisionOf(b) - revisionOf(a));
    const currentRevision = Number(deployment.metadata?.annotations?.[REVISION] ?? revisionOf(owned[0] ?? {}));
    const target =
      toRevision === undefined
        ? owned.find((rs) => revisionOf(rs) !== currentRevision)
        : owned.find((rs) => revisionOf(rs) === toRevision);
    if (!target?.spec?.template) {
      const known = owned.map(revisionOf).join(', ') || 'none';
      throw notApplicable(
        toRevision === undefined
          ? `Deployment/${ref.name} has no previous revision to roll back to (revisions: ${known})`
          : `Deployment/${ref.name} has no revision ${toRevision} (revisions: ${known})`,
      );
    }
    const template = structuredClone(target.spec.template);
    if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
    const diff = diffValues(current, template, 'spec.template');
    if (diff.length === 0) {
      throw new AlreadyInEffect(`Deployment/${ref.name} already runs the template of revision ${revisionOf(target)}`);
    }
    const targetName = target.metadata?.name ?? '?';
    const patch = [
      { op: 'add', path: '/spec/template', value: template },
      { op: 'add', path: '/metadata/annotations', value: annotationsFor(deployment, target) },
    ];
    return {
      diff: [
        {
          field: 'revision',
          before: String(currentRevision),
          after: `${revisionOf(target)} (ReplicaSet ${targetName})`,
        },
        ...diff,
      ],
      notes: [`Rolls Deployment/${ref.name} back to the template of revision ${revisionOf(target)}.`],
      edits: [
        manifestEdit('Deployment', namespace, deployment, { spec: { template: changedFields(current, template) } }),
      ],
      precondition: {
        kind: 'Deployment',
        namespace,
        name: ref.name,
        fields: {
          'spec.template': fingerprint(current),
          [`ReplicaSet/${targetName} spec.template`]: fingerprint(target.spec.template),
        },
      },
      async apply(dryRun) {
        await ctx.writer.patchWorkload(namespace, 'Deployment', ref.name, patch, 'json', {
          dryRun,
          signal: ctx.signal,
        });
        return `Deployment/${ref.name} rolled back to revision ${revisionOf(target)} (ReplicaSet ${targetName})`;
      },
    };
  },
};
