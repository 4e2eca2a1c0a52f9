/**
 * SIDECAR_OOM_IDENTITY_CHURN: a service-registration sidecar (consul client/agent; rules in medic.yaml `sidecars`)
 * was OOMKilled. Each restart registers the service under a new id, so registration or traffic breaks for the app.
 * Classic sidecars in `containers` and native ones (initContainers with restartPolicy Always) both count.
 */

import { rolloutHold } from '../src/diagnosis/blocked.js';
import { findOomKills, focusContainer, memoryFacts, memoryLimitFix } from '../src/diagnosis/oom.js';
import { alertStartMs, isAboutPods, type Playbook, type PlaybookContext } from '../src/diagnosis/playbook.js';
import { listNames, podName } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Pod } from '../src/kube/reader.js';
import { formatMemory } from '../src/quantity.js';
import type { Evidence } from '../src/types.js';

const REGISTRATION_LINE = /consul|regist|service id|check id|catalog/i;

export const sidecarOom: Playbook = {
  name: 'sidecar-oom',
  rootCauses: ['SIDECAR_OOM_IDENTITY_CHURN'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!isAboutPods(target)) return null;
    const startMs = alertStartMs(ctx);
    // An alert on one pod: the sidecar's kills in its siblings show how much of the service churns.
    const siblings =
      target.kind === 'Pod' && target.workload ? await ctx.read(ctx.reader.podsOf(target.workload), []) : [];
    const named = new Set(target.pods.map(podName));
    const pods = [...target.pods, ...siblings.filter((p) => !named.has(podName(p)))];
    const all = findOomKills(pods, ctx.settings.sidecars, startMs);
    // The alert names a main container that was OOMKilled itself: that is OOM_LIMIT, not sidecar churn.
    if (target.container && all.some((k) => !k.sidecar && k.view.status.name === target.container)) return null;
    const kills = all.filter((k) => k.sidecar);
    if (kills.length === 0) return null;
    const focused = focusContainer(kills, target.container);
    const first = focused[0];
    if (!first) return null;
    const facts = await memoryFacts(ctx, focused);
    const sidecar = facts.container;
    const image = first.view.status.image ?? first.view.spec?.image ?? 'unknown image';
    const native = first.view.isNativeSidecar ? ' (native sidecar: init container with restartPolicy Always)' : '';
    const affected = [...new Set(focused.map((k) => podName(k.view.pod)))];
    const group = target.service
      ? `service ${target.service.metadata?.name}`
      : target.kind === 'Pod' && target.workload
        ? `${target.workload.kind} ${target.workload.namespace}/${target.workload.name}`
        : target.description;
    const evidence: Evidence[] = [
      {
        kind: 'status',
        text: `Sidecar ${sidecar} (${image})${native} was OOMKilled in ${affected.length} of ${pods.length} pods of ${group}: ${listNames(affected, 8)}`,
      },
      ...facts.evidence,
      ...(await registrationLogs(ctx, first.view.pod, sidecar)),
    ];
    const namespace = first.view.pod.metadata?.namespace ?? target.namespace ?? 'default';
    const workload = target.workload ?? (await ctx.read(ctx.reader.workloadOf(first.view.pod), null));
    const { action, advice, headline, rolloutPending } = memoryLimitFix(facts, workload, namespace);
    if (advice) evidence.push({ kind: 'spec', text: advice });
    const hold = rolloutPending && workload ? await rolloutHold(ctx, workload) : null;
    if (hold) evidence.push(hold);
    const summary =
      `The ${first.sidecar?.name ?? sidecar} sidecar ${sidecar} was OOMKilled ${facts.limitBytes === null ? 'with no memory limit of its own' : `by its ${formatMemory(facts.limitBytes)} memory limit`} in ${affected.length} of ${pods.length} pod(s) of ${group}; ` +
      'each restart re-registers the service under a new id, so registration and traffic break for the app' +
      (action
        ? `. Raise ${sidecar}'s limit to ${String(action.params.limit)} and alert when a container passes 90% of its limit.`
        : `. ${headline}`);
    return {
      rootCause: { code: 'SIDECAR_OOM_IDENTITY_CHURN', summary, confidence: 'high' },
      evidence,
      actions: action ? [action] : [],
    };
  },
};

/** Lines of the app containers' logs that show the registration breaking (one log read per app container). */
async function registrationLogs(ctx: PlaybookContext, pod: Pod, sidecar: string) {
  const evidence: Evidence[] = [];
  const namespace = pod.metadata?.namespace ?? 'default';
  for (const c of (pod.spec?.containers ?? []).filter((c) => c.name !== sidecar).slice(0, 2)) {
    const text = await ctx.read(ctx.reader.logs(namespace, podName(pod), c.name, { tailLines: 50 }), null);
    const lines = (text ?? '')
      .split('\n')
      .filter((l) => REGISTRATION_LINE.test(l))
      .slice(-3);
    if (lines.length > 0)
      evidence.push({ kind: 'log', text: `${c.name} log in ${podName(pod)}: ${lines.join(' | ')}` });
  }
  return evidence;
}
