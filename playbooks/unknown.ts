/** UNKNOWN: the fallback when no playbook could decide; lists the status and events that were found. */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { containersOf, eventEvidence, isPodReady, listNames, podName } from '../src/diagnosis/pods.js';
import { unnamedSubject } from '../src/diagnosis/target.js';
import type { Evidence } from '../src/types.js';

export const unknown: Playbook = {
  name: 'unknown',
  rootCauses: ['UNKNOWN'],
  matches: () => true,
  async diagnose(ctx) {
    const target = ctx.target;
    const labels = ctx.event.alert.labels;
    if (!target) {
      const about = unnamedSubject(labels);
      const shown = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return {
        rootCause: {
          code: 'UNKNOWN',
          summary: `The alert ${labels.alertname ?? ''} names no pod, workload, service, node or volume Medic can look at${about ? `: it is about ${about}` : ''}.`,
          confidence: 'low',
        },
        evidence: [{ kind: 'status', text: `Alert labels: ${shown}` }],
        actions: [],
      };
    }
    if (target.unreadable) {
      return {
        rootCause: {
          code: 'UNKNOWN',
          summary: `Could not read ${target.description} from the cluster, so no cause could be determined.`,
          confidence: 'low',
        },
        evidence: [],
        actions: [],
      };
    }
    const evidence: Evidence[] = [];
    const pods = target.pods;
    const ready = pods.filter(isPodReady);
    if (target.workload)
      evidence.push({
        kind: 'status',
        text: `${target.description} is run by ${target.workload.kind} ${target.workload.name}`,
      });
    evidence.push({
      kind: 'status',
      text: `${ready.length} of ${pods.length} pod(s) of ${target.description} are ready${pods.length ? `: ${listNames(pods.map(podName), 6)}` : ''}`,
    });
    const troubled = pods
      .flatMap((p) => containersOf(p))
      .filter((v) => (v.status.restartCount ?? 0) > 0 || v.status.state?.waiting);
    for (const v of troubled.slice(0, 4)) {
      const last = v.status.lastState?.terminated;
      evidence.push({
        kind: 'status',
        text: `${podName(v.pod)}/${v.status.name}: ${v.status.state?.waiting?.reason ?? (v.status.state?.running ? 'running' : 'not running')}${v.status.state?.waiting?.message ? ` (${v.status.state.waiting.message})` : ''}, ${v.status.restartCount} restart(s)${last ? `, last exit ${last.exitCode} ${last.reason ?? ''}` : ''}`,
      });
    }
    const notRunning = pods.filter((p) => !isPodReady(p)).slice(0, 2);
    for (const pod of notRunning) {
      const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
      for (const e of events.filter((e) => e.type === 'Warning').slice(-2)) evidence.push(eventEvidence(e));
    }
    const summary = `No known failure mode found for ${target.description}: ${ready.length}/${pods.length} pods ready, no OOM kill, eviction, crash loop, image pull, volume or scheduling problem. Look at the application itself (metrics, dependencies).`;
    return { rootCause: { code: 'UNKNOWN', summary, confidence: 'low' }, evidence, actions: [] };
  },
};
