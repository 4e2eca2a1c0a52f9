/**
 * `patch-rollout-safety`: a preStop wait on the main containers, a grace period that outlasts it, and
 * optionally replicas aligned with the HPA minimum — the fixes for rollouts that drop traffic.
 *
 * The wait is the kubelet's `sleep` lifecycle action (Kubernetes ≥ 1.30), not `exec: [sleep, N]`: it needs
 * no `sleep` binary in the image (distroless and scratch images have none, and there an exec hook fails at
 * once and the pod gets no wait at all). On an API server that does not know the field, strict field
 * validation makes the dry run fail, so no button is offered instead of a patch that silently does nothing.
 */
import type { SidecarRule } from '../../config/settings.js';
import type { Container } from '../../kube/writer.js';
import type { DiffLine } from '../../types.js';
import { AlreadyInEffect, notApplicable } from '../errors.js';
import { checkScaleRails } from '../rails.js';
import type { ActionHandler } from '../types.js';
import { findHpa, manifestEdit, NONE, parseWorkloadRef, templateOf } from '../workload.js';

const DEFAULT_GRACE_SECONDS = 30;

function imageName(image: string | undefined): string {
  const withoutDigest = (image ?? '').split('@')[0] ?? '';
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

function isSidecar(container: Container, rules: SidecarRule[]): boolean {
  const image = imageName(container.image);
  return rules.some(
    (rule) => rule.names.includes(container.name) || rule.images.some((i) => image === i || image.endsWith(`/${i}`)),
  );
}

export const patchRolloutSafetyAction: ActionHandler<'patch-rollout-safety'> = {
  kind: 'patch-rollout-safety',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace, preStopSleepSeconds, terminationGracePeriodSeconds, replicas } = params;
    const ref = parseWorkloadRef(params.workload);
    if (terminationGracePeriodSeconds <= preStopSleepSeconds) {
      throw notApplicable(
        `terminationGracePeriodSeconds (${terminationGracePeriodSeconds}) must exceed preStopSleepSeconds (${preStopSleepSeconds}), or pods are killed during the wait`,
      );
    }
    const workload = await ctx.writer.readWorkload(namespace, ref.kind, ref.name, ctx.signal);
    const template = templateOf(workload, ref);
    const containers = template.spec?.containers ?? [];
    const main = containers.filter((c) => !isSidecar(c, ctx.settings.sidecars));
    const targets = main.length > 0 ? main : containers;

    const diff: DiffLine[] = [];
    const notes: string[] = [];
    const fields: Record<string, string> = {};
    const containerPatches: object[] = [];
    for (const c of targets) {
      const field = `spec.template.spec.containers[${c.name}].lifecycle.preStop`;
      const existing = c.lifecycle?.preStop;
      fields[field] = existing ? JSON.stringify(existing) : NONE;
      if (existing) {
        notes.push(`Container ${c.name} keeps its existing preStop hook.`);
        continue;
      }
      containerPatches.push({ name: c.name, lifecycle: { preStop: { sleep: { seconds: preStopSleepSeconds } } } });
      diff.push({ field, before: NONE, after: `sleep ${preStopSleepSeconds}s` });
    }

    const graceBefore = template.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    fields['spec.template.spec.terminationGracePeriodSeconds'] = String(graceBefore);
    const raiseGrace = graceBefore < terminationGracePeriodSeconds;
    if (raiseGrace) {
      diff.push({
        field: 'spec.template.spec.terminationGracePeriodSeconds',
        before: String(graceBefore),
        after: String(terminationGracePeriodSeconds),
      });
    } else {
      notes.push(`The grace period stays at ${graceBefore}s (not lowered).`);
    }

    let setReplicas = false;
    if (replicas !== undefined) {
      if (ref.kind === 'DaemonSet') throw notApplicable('a DaemonSet has no replica count to align');
      const current = workload.spec && 'replicas' in workload.spec ? (workload.spec.replicas ?? 1) : 1;
      fields['spec.replicas'] = String(current);
      if (current !== replicas) {
        checkScaleRails(ctx.settings, current, replicas);
        setReplicas = true;
        diff.push({ field: 'spec.replicas', before: String(current), after: String(replicas) });
        const hpa = await findHpa(ctx.writer, namespace, ref, ctx.signal);
        const min = hpa?.spec?.minReplicas ?? 1;
        if (hpa && replicas < min)
          notes.push(`HorizontalPodAutoscaler ${hpa.metadata?.name} keeps at least ${min} replicas.`);
      }
    }
    if (diff.length === 0)
      throw new AlreadyInEffect(`${ref.kind}/${ref.name} already has these rollout safety settings`);

    const patch = {
      spec: {
        ...(setReplicas ? { replicas } : {}),
        template: {
          spec: {
            ...(raiseGrace ? { terminationGracePeriodSeconds } : {}),
            ...(containerPatches.length > 0 ? { containers: containerPatches } : {}),
          },
        },
      },
    };
    return {
      diff,
      notes,
      edits: [manifestEdit(ref.kind, namespace, workload, patch)],
      precondition: { kind: ref.kind, namespace, name: ref.name, fields },
      async apply(dryRun) {
        await ctx.writer.patchWorkload(namespace, ref.kind, ref.name, patch, 'strategic', {
          dryRun,
          signal: ctx.signal,
        });
        return `rollout safety of ${ref.kind}/${ref.name} patched (${diff.length} change${diff.length === 1 ? '' : 's'})`;
      },
    };
  },
};
