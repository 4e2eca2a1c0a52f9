/** `scale`: the scale subresource; when an HPA governs the workload its bounds follow, or it undoes the scale. */
import type { DiffLine } from '../../types.js';
import { AlreadyInEffect, notApplicable } from '../errors.js';
import { checkScaleRails } from '../rails.js';
import type { ActionHandler } from '../types.js';
import { findHpa, manifestEdit, parseWorkloadRef } from '../workload.js';

export const scaleAction: ActionHandler<'scale'> = {
  kind: 'scale',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace, replicas } = params;
    const ref = parseWorkloadRef(params.workload);
    if (ref.kind === 'DaemonSet') throw notApplicable('a DaemonSet runs one pod per node and cannot be scaled');
    const kind = ref.kind;
    const workload = await ctx.writer.readWorkload(namespace, kind, ref.name, ctx.signal);
    const current = workload.spec && 'replicas' in workload.spec ? (workload.spec.replicas ?? 1) : 1;
    checkScaleRails(ctx.settings, current, replicas);

    const hpa = await findHpa(ctx.writer, namespace, ref, ctx.signal);
    const diff: DiffLine[] = [];
    const notes: string[] = [];
    const fields: Record<string, string> = {};
    let hpaPatch: { minReplicas: number; maxReplicas: number } | undefined;
    if (current !== replicas) {
      diff.push({ field: `${kind}/${ref.name} spec.replicas`, before: String(current), after: String(replicas) });
    }
    if (!hpa) fields['spec.replicas'] = String(current);
    // With an HPA, replicas move on their own between proposal and approval; its bounds are what must not have.
    if (hpa?.metadata?.name && hpa.spec) {
      const hpaName = hpa.metadata.name;
      const min = hpa.spec.minReplicas ?? 1;
      const max = hpa.spec.maxReplicas;
      fields[`HorizontalPodAutoscaler/${hpaName} spec.minReplicas`] = String(min);
      fields[`HorizontalPodAutoscaler/${hpaName} spec.maxReplicas`] = String(max);
      if (replicas === 0) {
        notes.push(`HorizontalPodAutoscaler ${hpaName} stops acting while ${kind}/${ref.name} has 0 replicas.`);
      } else if (min !== replicas || max < replicas) {
        hpaPatch = { minReplicas: replicas, maxReplicas: Math.max(max, replicas) };
        diff.push({
          field: `HorizontalPodAutoscaler/${hpaName} spec.minReplicas`,
          before: String(min),
          after: String(replicas),
        });
        if (max < replicas) {
          diff.push({
            field: `HorizontalPodAutoscaler/${hpaName} spec.maxReplicas`,
            before: String(max),
            after: String(replicas),
          });
        }
        notes.push(
          `HorizontalPodAutoscaler ${hpaName} governs ${kind}/${ref.name}: its bounds are set to ${replicas}–${hpaPatch.maxReplicas}, otherwise it would undo the scale at once.`,
        );
      }
    }
    if (diff.length === 0) throw new AlreadyInEffect(`${kind}/${ref.name} already has ${replicas} replicas`);

    const edits = [
      ...(current !== replicas ? [manifestEdit(kind, namespace, workload, { spec: { replicas } })] : []),
      ...(hpaPatch && hpa ? [manifestEdit('HorizontalPodAutoscaler', namespace, hpa, { spec: hpaPatch })] : []),
    ];
    return {
      diff,
      notes,
      edits,
      precondition: { kind, namespace, name: ref.name, fields },
      async apply(dryRun) {
        // The HPA first: scaled first, the workload could be scaled back by the HPA before its bounds change.
        if (hpaPatch && hpa?.metadata?.name) {
          await ctx.writer.patchHorizontalPodAutoscaler(
            namespace,
            hpa.metadata.name,
            { spec: hpaPatch },
            { dryRun, signal: ctx.signal },
          );
        }
        await ctx.writer.patchScale(namespace, kind, ref.name, replicas, { dryRun, signal: ctx.signal });
        const bounds = hpaPatch
          ? ` (HPA ${hpa?.metadata?.name} minReplicas ${hpaPatch.minReplicas}${hpaPatch.maxReplicas > (hpa?.spec?.maxReplicas ?? 0) ? `, maxReplicas ${hpaPatch.maxReplicas}` : ''})`
          : '';
        return `${kind}/${ref.name} scaled ${current} → ${replicas}${bounds}`;
      },
    };
  },
};
