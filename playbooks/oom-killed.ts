/** OOM_LIMIT: a main container killed by its own memory limit (reason OOMKilled), crash-looping or running again. */

import { rolloutHold } from '../src/diagnosis/blocked.js';
import { findOomKills, focusContainer, memoryFacts, memoryLimitFix } from '../src/diagnosis/oom.js';
import { alertStartMs, isAboutPods, type Playbook } from '../src/diagnosis/playbook.js';
import { listNames, podName } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { formatMemory } from '../src/quantity.js';

export const oomKilled: Playbook = {
  name: 'oom-killed',
  rootCauses: ['OOM_LIMIT'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!isAboutPods(target)) return null;
    const startMs = alertStartMs(ctx);
    const kills = findOomKills(target.pods, ctx.settings.sidecars, startMs).filter((k) => !k.sidecar);
    if (kills.length === 0) return null;
    const focused = focusContainer(kills, target.container);
    if (focused.length === 0) return null;
    const facts = await memoryFacts(ctx, focused);
    const namespace = focused[0]?.view.pod.metadata?.namespace ?? target.namespace ?? 'default';
    const workload =
      target.workload ?? (focused[0] ? await ctx.read(ctx.reader.workloadOf(focused[0].view.pod), null) : null);
    const { action, advice, headline, rolloutPending } = memoryLimitFix(facts, workload, namespace);
    const pods = focused.map((k) => podName(k.view.pod));
    const crashing = focused.some((k) => k.view.status.state?.waiting?.reason === 'CrashLoopBackOff');
    const how =
      facts.limitBytes === null
        ? 'with no memory limit of its own'
        : facts.systemOom
          ? `by node ${facts.systemOom.node}'s OOM killer when the node ran out of memory, not by its own memory limit of ${formatMemory(facts.limitBytes)}`
          : facts.typo
            ? `by its own memory limit of "${facts.typo.written}" (a fraction of a byte: the m suffix means milli; ${facts.typo.intended} was surely meant)`
            : `by its own memory limit of ${formatMemory(facts.limitBytes)}`;
    const restarts = Math.max(...focused.map((k) => k.view.status.restartCount ?? 0));
    // A pod that never restarts its containers (a Job's, restartPolicy Never) fails instead: no count to give.
    const restarting = focused.some((k) => (k.view.pod.spec?.restartPolicy ?? 'Always') !== 'Never');
    const summary =
      `Container ${facts.container} was OOMKilled ${how} in ${listNames(pods, 3)}${restarting ? ` (${restarts} restart(s))` : ''}` +
      (crashing ? '; the kills are what keeps it in CrashLoopBackOff' : '') +
      (facts.heap ? `. ${facts.heap.headline.replace(/\.$/, '')}` : '') +
      (action ? `. Raise the limit to ${String(action.params.limit)}.` : `. ${headline}`);
    const evidence = [...facts.evidence];
    if (advice) evidence.push({ kind: 'spec', text: advice });
    const hold = rolloutPending && workload ? await rolloutHold(ctx, workload) : null;
    if (hold) evidence.push(hold);
    return {
      rootCause: { code: 'OOM_LIMIT', summary, confidence: 'high' },
      evidence,
      actions: action ? [action] : [],
    };
  },
};
