/**
 * CRASHLOOP_APP_ERROR: a container in CrashLoopBackOff whose last exit is not an OOM kill (that is OOM_LIMIT, which
 * runs first). Evidence: exit code, reason, the tail of the previous container's log; rolls back a new revision.
 * What the crash says is named (src/diagnosis/crash-readings.ts: a port another container holds, a name that does not
 * resolve, /dev/shm or a read-only root filesystem, a program the image cannot run), as is a StatefulSet rollout
 * stuck on the pod (update-strategy.ts); no pod is replaced for any of them.
 */
import { crashReadings } from '../src/diagnosis/crash-readings.js';
import { logEvidence, tellingLogLines } from '../src/diagnosis/logs.js';
import { isAboutPods, type Playbook } from '../src/diagnosis/playbook.js';
import {
  type ContainerView,
  containersOf,
  eventEvidence,
  failedByKubelet,
  listNames,
  ofNamedContainer,
  podName,
} from '../src/diagnosis/pods.js';
import { replaceLonePod, revisionSentence, rollbackIfNewRevision } from '../src/diagnosis/rollout.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { isBeingDeleted } from '../src/diagnosis/terminating.js';
import { statefulSetRolloutStuck } from '../src/diagnosis/update-strategy.js';
import type { Evidence, ProposedAction } from '../src/types.js';

function exitMeaning(code: number | undefined, reason: string | undefined): string {
  if (code === 137)
    return 'killed with SIGKILL — not by the memory limit (reason is not OOMKilled): a failing liveness probe or an external kill';
  if (code === 143) return 'stopped by SIGTERM';
  if (code === 139) return 'segmentation fault';
  if (code === 132)
    return 'illegal instruction (SIGILL): the program used a CPU instruction its processor does not have';
  if (code === 134) return 'aborted (SIGABRT): the process gave up on a fatal error';
  if (code === 127) return 'command not found';
  if (code === 126) return 'command not executable';
  if (reason === 'Completed' || code === 0) return 'the process exited successfully but is expected to keep running';
  return 'the application exited with an error';
}

const isCrashing = (v: ContainerView) => {
  // A pod being deleted had its containers stopped by the deletion (exit 143, 137): no crash of their own.
  if (failedByKubelet(v.pod) || isBeingDeleted(v.pod)) return false;
  const last = v.status.lastState?.terminated ?? v.status.state?.terminated;
  if (!last || last.reason === 'OOMKilled') return false;
  if (v.status.state?.waiting?.reason === 'CrashLoopBackOff') return true;
  // A Job's pod (restartPolicy Never) never crash-loops: it fails once with its container terminated.
  if (v.pod.status?.phase === 'Failed' && v.status.state?.terminated && last.exitCode !== 0) return true;
  return (v.status.restartCount ?? 0) >= 3 && !v.status.ready;
};

export const crashloop: Playbook = {
  name: 'crashloop',
  rootCauses: ['CRASHLOOP_APP_ERROR'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!isAboutPods(target)) return null;
    const crashing = ofNamedContainer(
      target.pods.flatMap((pod) => containersOf(pod).filter(isCrashing)),
      target.container,
      (v) => v.status.name,
    );
    const focus = crashing[0];
    if (!focus) return null;
    const last = focus.status.lastState?.terminated ?? focus.status.state?.terminated;
    const name = focus.status.name;
    const pods = [...new Set(crashing.filter((v) => v.status.name === name).map((v) => podName(v.pod)))];
    const failedPod = !!focus.status.state?.terminated;
    const evidence: Evidence[] = [
      {
        kind: 'status',
        text: `Container ${name} in ${listNames(pods, 5)}: ${focus.status.state?.waiting?.reason ?? (failedPod ? 'terminated, pod Failed' : 'restarting')}, restart count ${focus.status.restartCount}, last exit code ${last?.exitCode} (reason ${last?.reason ?? 'none'}${last?.message ? `: ${last.message.trim()}` : ''})`,
      },
      ...(await logEvidence(ctx, focus)),
    ];
    const events = await ctx.read(ctx.reader.eventsFor(focus.pod.metadata?.namespace, 'Pod', podName(focus.pod)), []);
    const probe = events.filter((e) => e.reason === 'Unhealthy' || /probe failed/i.test(e.message ?? '')).at(-1);
    if (probe) evidence.push(eventEvidence(probe));
    const workload = target.workload ?? (await ctx.read(ctx.reader.workloadOf(focus.pod), null));
    const rollback = await rollbackIfNewRevision(
      ctx,
      workload,
      crashing.map((v) => v.pod),
    );
    evidence.push(...rollback.evidence);
    // The same scoped read logEvidence made: no second request, and no parsing of the evidence text back.
    const logLines = await tellingLogLines(ctx, focus);
    const logLine = logLines.length > 0 ? logLines.join(' | ') : undefined;
    const readings = await crashReadings(ctx, focus, logLines);
    evidence.push(...readings.evidence);
    const stuckRollout = statefulSetRolloutStuck(
      workload,
      crashing.map((v) => v.pod),
    );
    const actions: ProposedAction[] = rollback.action ? [rollback.action] : [];
    // What the crash says (src/diagnosis/crash-readings.ts) or a StatefulSet rollout stuck on the pod: a replacement
    // pod crashes the same way.
    if (!rollback.action && !readings.found && !stuckRollout) {
      const failing = crashing.filter((v) => v.status.name === name).map((v) => v.pod);
      const replace = await replaceLonePod(ctx, workload, failing, focus.pod.metadata?.namespace ?? 'default');
      evidence.push(...replace.evidence);
      if (replace.action) actions.push(replace.action);
    }
    const meaning =
      probe && /liveness/i.test(probe.message ?? '')
        ? `killed by the kubelet after failing its liveness probe${last?.exitCode === 137 ? ' (SIGKILL; reason is not OOMKilled, so not the memory limit)' : ''}`
        : (readings.meaning ?? exitMeaning(last?.exitCode, last?.reason));
    const what = focus.isInit && !focus.isNativeSidecar ? 'Init container' : 'Container';
    const summary = `${what} ${name} ${failedPod ? 'failed' : 'keeps crashing'} in ${pods.length} pod(s) (exit code ${last?.exitCode}, ${meaning})${logLine ? `; its last log says: ${logLine.replace(/\.$/, '')}` : ''}.${readings.sentences.map((x) => ` ${x}`).join('')}${revisionSentence(rollback)}${stuckRollout ? ` ${stuckRollout}` : ''}`;
    return {
      rootCause: {
        code: 'CRASHLOOP_APP_ERROR',
        summary,
        confidence: rollback.action || logLine || readings.found ? 'high' : 'medium',
      },
      evidence,
      actions,
    };
  },
};
