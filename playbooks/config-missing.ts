/**
 * CONFIG_MISSING: a container cannot start because a ConfigMap or Secret it refers to, or a key in one, does not
 * exist: CreateContainerConfigError, or a FailedMount of a configMap/secret volume. Names the object or key, what
 * refers to it, and whether the newest Deployment revision brought the reference — then rolling back to the
 * previous revision (healthy, and not referring to it) is the fix; otherwise the object must be created.
 * Runs before volume-attach: a configMap volume that cannot be mounted is not a disk that cannot be attached.
 */
import { describeMissing, type MissingConfig, parseMissingConfig, referencesTo } from '../src/diagnosis/config-refs.js';
import type { Playbook, PlaybookContext } from '../src/diagnosis/playbook.js';
import { eventEvidence, isPodReady, listNames, podName } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Deployment, KubeEvent, Pod, Workload } from '../src/kube/reader.js';
import type { Evidence, ProposedAction } from '../src/types.js';

const MAX_PODS_READ = 8;

interface Finding {
  pod: Pod;
  missing: MissingConfig;
  /** The container waiting in CreateContainerConfigError, or the state of the pod for mount failures. */
  where: string;
  event?: KubeEvent;
}

export const configMissing: Playbook = {
  name: 'config-missing',
  rootCauses: ['CONFIG_MISSING'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    const waiting = target.pods.filter(
      (p) => !isPodReady(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );
    const findings: Finding[] = [];
    for (const pod of waiting.slice(0, MAX_PODS_READ)) {
      const finding = await findMissing(ctx, pod);
      if (finding) findings.push(finding);
    }
    const focus = findings[0];
    if (!focus) return null;
    const { missing } = focus;
    const same = findings.filter((f) => f.missing.kind === missing.kind && f.missing.name === missing.name);
    const pods = same.map((f) => podName(f.pod));
    const refs = referencesTo(focus.pod.spec, missing);
    const evidence: Evidence[] = [
      { kind: 'status', text: `${focus.where} in ${listNames(pods, 5)}: ${missing.message.trim()}` },
      {
        kind: 'spec',
        text: `${describeMissing(missing)} is referred to by ${refs.length > 0 ? refs.join('; ') : 'the pod spec'}`,
      },
    ];
    if (focus.event) evidence.push(eventEvidence(focus.event));
    const workload = target.workload ?? (await ctx.read(ctx.reader.workloadOf(focus.pod), null));
    const revision = await revisionFinding(ctx, workload, focus.pod, missing);
    evidence.push(...revision.evidence);
    const what = missing.key
      ? `${missing.kind} ${missing.name} exists but has no key ${missing.key}`
      : `${missing.kind} ${missing.name} does not exist in namespace ${focus.pod.metadata?.namespace ?? 'default'}`;
    const fix = revision.action
      ? ` ${revision.note} Roll back, or create the ${missing.key ? 'key' : missing.kind}.`
      : ` ${revision.note ?? ''} Create the ${missing.key ? `key in the ${missing.kind}` : missing.kind} (or fix the reference); restarting the pods will not help.`;
    const summary = `${pods.length} pod(s) of ${workload ? `${workload.kind} ${workload.name}` : target.description} cannot start: ${what} (${missing.message.trim()}), and ${refs[0] ?? 'the pod spec'} refers to it.${fix.replace(/ {2,}/g, ' ')}`;
    return {
      rootCause: { code: 'CONFIG_MISSING', summary, confidence: 'high' },
      evidence,
      actions: revision.action ? [revision.action] : [],
    };
  },
};

/** The missing object of one pod: from a container waiting in CreateContainerConfigError, else its events. */
async function findMissing(ctx: PlaybookContext, pod: Pod): Promise<Finding | null> {
  const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    if (s.state?.waiting?.reason !== 'CreateContainerConfigError') continue;
    const missing = parseMissingConfig(s.state.waiting.message ?? '', pod.spec);
    if (!missing) continue;
    const event = events.filter((e) => e.reason === 'Failed' && e.message?.includes(missing.name)).at(-1);
    return { pod, missing, where: `Container ${s.name} is CreateContainerConfigError`, ...(event ? { event } : {}) };
  }
  for (const event of [...events].reverse()) {
    if (event.reason !== 'FailedMount' && event.reason !== 'Failed') continue;
    const missing = parseMissingConfig(event.message ?? '', pod.spec);
    if (missing) {
      const where = missing.volume
        ? `Volume ${missing.volume} cannot be mounted, pod ${pod.status?.phase ?? 'Pending'}`
        : 'Pod cannot start';
      return { pod, missing, where, event };
    }
  }
  return null;
}

interface RevisionFinding {
  evidence: Evidence[];
  action: ProposedAction | null;
  note?: string;
}

/**
 * Did the newest Deployment revision bring the reference? Then the previous revision — if it has ready pods and
 * does not refer to the missing object — is a safe rollback.
 */
async function revisionFinding(
  ctx: PlaybookContext,
  workload: Workload | null,
  pod: Pod,
  missing: MissingConfig,
): Promise<RevisionFinding> {
  if (workload?.kind !== 'Deployment') return { evidence: [], action: null };
  const revisions = await ctx.read(ctx.reader.replicaSetsOf(workload.object as Deployment), []);
  const [newest, previous] = revisions;
  const owner = pod.metadata?.ownerReferences?.find((r) => r.kind === 'ReplicaSet')?.name;
  if (!newest || owner !== newest.replicaSet.metadata?.name) return { evidence: [], action: null };
  if (!previous) {
    const note = `Revision ${newest.revision} is the Deployment's only revision: there is nothing to roll back to.`;
    return { evidence: [{ kind: 'spec', text: note }], action: null, note };
  }
  const before = referencesTo(previous.replicaSet.spec?.template?.spec, missing);
  const ready = previous.replicaSet.status?.readyReplicas ?? 0;
  const prevName = previous.replicaSet.metadata?.name;
  if (before.length > 0) {
    const note = `Revision ${previous.revision} (ReplicaSet ${prevName}) refers to it too, so the ${missing.kind} was deleted or never created: rolling back would not help.`;
    return { evidence: [{ kind: 'spec', text: note }], action: null, note };
  }
  const instead = formerSources(previous.replicaSet.spec?.template?.spec, pod, missing);
  const note = `Revision ${newest.revision} (ReplicaSet ${newest.replicaSet.metadata?.name}) introduced the reference; revision ${previous.revision} (ReplicaSet ${prevName}) does not refer to it${instead ? ` (${instead})` : ''} and has ${ready} ready pod(s).`;
  const evidence: Evidence[] = [{ kind: 'spec', text: note }];
  if (ready === 0)
    return { evidence, action: null, note: `${note} It is not serving either, so a rollback is not proposed.` };
  return {
    evidence,
    note,
    action: {
      kind: 'rollout-undo',
      title: `Roll back Deployment/${workload.name} to revision ${previous.revision}, which does not need ${describeMissing(missing)}`,
      params: { namespace: workload.namespace, workload: `Deployment/${workload.name}`, toRevision: previous.revision },
      risk: 'medium',
    },
  };
}

/** What the previous revision used where the newest refers to the missing object: "env DB_PASSWORD from Secret invoice-db". */
function formerSources(previous: Pod['spec'], pod: Pod, missing: MissingConfig): string | null {
  const isConfigMap = missing.kind === 'ConfigMap';
  for (const c of pod.spec?.containers ?? []) {
    for (const env of c.env ?? []) {
      const ref = isConfigMap ? env.valueFrom?.configMapKeyRef : env.valueFrom?.secretKeyRef;
      if (ref?.name !== missing.name || (missing.key && ref.key !== missing.key)) continue;
      const old = previous?.containers?.find((x) => x.name === c.name)?.env?.find((e) => e.name === env.name);
      const oldRef = isConfigMap ? old?.valueFrom?.configMapKeyRef : old?.valueFrom?.secretKeyRef;
      if (oldRef?.name && !(oldRef.name === missing.name && (!missing.key || oldRef.key === missing.key)))
        return `it took env ${env.name} from ${missing.kind} ${oldRef.name} key ${oldRef.key}`;
    }
  }
  return null;
}
