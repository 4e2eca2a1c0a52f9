/** `rollout-restart`: what `kubectl rollout restart` does, a new `restartedAt` annotation on the pod template. */
import type { ActionHandler } from '../types.js';
import { NONE, parseWorkloadRef, templateOf } from '../workload.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export const rolloutRestartAction: ActionHandler<'rollout-restart'> = {
  kind: 'rollout-restart',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace } = params;
    const ref = parseWorkloadRef(params.workload);
    const workload = await ctx.writer.readWorkload(namespace, ref.kind, ref.name, ctx.signal);
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
