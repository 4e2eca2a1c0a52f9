/** `rollout-restart`: what `kubectl rollout restart` does, a new `restartedAt` annotation on the pod template. */
import { RESTARTED_AT, templateRollout } from '../../kube/writer.js';
import { notApplicable } from '../errors.js';
import type { ActionHandler } from '../types.js';
import { NONE, parseWorkloadRef, templateOf } from '../workload.js';

export const rolloutRestartAction: ActionHandler<'rollout-restart'> = {
  kind: 'rollout-restart',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace } = params;
    const ref = parseWorkloadRef(params.workload);
    const workload = await ctx.writer.readWorkload(namespace, ref.kind, ref.name, ctx.signal);
    // Under OnDelete the controller replaces no pod when the template changes: the restart would restart nothing.
    if (templateRollout(ref.kind, workload) === 'on-delete') {
      throw notApplicable(
        `${ref.kind}/${ref.name} has updateStrategy OnDelete: a new restartedAt replaces no pod; delete its pods one at a time instead`,
      );
    }
    const before = templateOf(workload, ref).metadata?.annotations?.[RESTARTED_AT] ?? NONE;
    const field = `spec.template.metadata.annotations[${RESTARTED_AT}]`;
    // A restart applies to whatever the workload is now: only its identity must hold (not deleted and recreated).
    const fields: Record<string, string> = { 'metadata.uid': workload.metadata?.uid ?? NONE };
    const at = new Date(ctx.now()).toISOString();
    return {
      diff: [{ field, before, after: at }],
      notes: [`Every pod of ${ref.kind}/${ref.name} is replaced, following its update strategy.`],
      precondition: { kind: ref.kind, namespace, name: ref.name, fields },
      async apply(dryRun) {
        const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } };
        await ctx.writer.patchWorkload(namespace, ref.kind, ref.name, patch, 'strategic', {
          dryRun,
          signal: ctx.signal,
        });
        return `${ref.kind}/${ref.name} restarted at ${at}`;
      },
    };
  },
};
