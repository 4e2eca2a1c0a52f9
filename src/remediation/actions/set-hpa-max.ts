/**
 * `set-hpa-max`: raises a HorizontalPodAutoscaler's spec.maxReplicas so it can add pods during a peak. It only
 * ever raises (a lower ceiling would take serving pods away mid-peak) and never above medic.yaml `scale.max`.
 */
import { AlreadyInEffect, notApplicable, railRefusal } from '../errors.js';
import type { ActionHandler } from '../types.js';
import { manifestEdit } from '../workload.js';

export const setHpaMaxAction: ActionHandler<'set-hpa-max'> = {
  kind: 'set-hpa-max',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace, hpa: name, maxReplicas } = params;
    const bound = ctx.settings.scale.max;
    if (maxReplicas > bound) {
      throw railRefusal('scale.max', `maxReplicas ${maxReplicas} is above the maximum of ${bound} replicas`);
    }
    const hpa = await ctx.writer.readHorizontalPodAutoscaler(namespace, name, ctx.signal);
    const before = hpa.spec?.maxReplicas;
    if (typeof before !== 'number') {
      throw notApplicable(`HorizontalPodAutoscaler ${namespace}/${name} has no spec.maxReplicas`);
    }
    if (maxReplicas === before) {
      throw new AlreadyInEffect(`HorizontalPodAutoscaler ${namespace}/${name} already has maxReplicas ${before}`);
    }
    if (maxReplicas < before) {
      throw notApplicable(
        `set-hpa-max only raises: HorizontalPodAutoscaler ${namespace}/${name} has maxReplicas ${before}, ${maxReplicas} would lower it`,
      );
    }
    const field = `HorizontalPodAutoscaler/${name} spec.maxReplicas`;
    const ref = hpa.spec?.scaleTargetRef;
    const target = ref ? `${ref.kind}/${ref.name}` : 'its target';
    return {
      diff: [{ field, before: String(before), after: String(maxReplicas) }],
      edits: [manifestEdit('HorizontalPodAutoscaler', namespace, hpa, { spec: { maxReplicas } })],
      notes: [
        `The HPA may then run up to ${maxReplicas} pods of ${target}; it adds them only while its metrics stay above target, and removes them again when the load drops.`,
      ],
      // The HPA's status (and so its resourceVersion) changes every sync; the bound itself must not have.
      precondition: {
        kind: 'HorizontalPodAutoscaler',
        namespace,
        name,
        fields: { [field]: String(before) },
      },
      async apply(dryRun) {
        await ctx.writer.patchHorizontalPodAutoscaler(
          namespace,
          name,
          { spec: { maxReplicas } },
          { dryRun, signal: ctx.signal },
        );
        return `HorizontalPodAutoscaler ${name} maxReplicas raised ${before} → ${maxReplicas}`;
      },
    };
  },
};
