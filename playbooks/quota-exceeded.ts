/**
 * QUOTA_EXCEEDED: a workload is short of replicas because the API server refuses to create its pods — a
 * ResourceQuota is used up or a LimitRange forbids the pod (FailedCreate "… is forbidden: exceeded quota: …" /
 * "maximum memory usage per Container is …"). No action kind changes a quota: the diagnosis says what to change.
 *
 * kubernetes-mixin's quota rules (KubeQuotaAlmostFull ≥ 90 %, KubeQuotaFullyUsed = 100 %, KubeQuotaExceeded
 * > 100 %) are about a namespace's ResourceQuota (`resourcequota`, `resource`, and kube-state-metrics' own pod
 * labels): the workload is the one whose pods that quota refused, the newest FailedCreate in the namespace that
 * names it. A quota that is full while nothing asks for more is no failure: no diagnosis here (UNKNOWN says so).
 *
 * Pods refused by an admission rule that is no quota or limit (Pod Security Admission, a webhook that denies them or
 * cannot be called, a ServiceAccount that does not exist) are UNKNOWN, said here so that no later playbook reads the
 * shortfall as a manifest or crash problem: the refusal names what to change, and no action kind changes it.
 */
import {
  type LimitRangeRefusal,
  type PolicyRefusal,
  parseAdmissionRefusals,
  type QuotaRefusal,
} from '../src/diagnosis/admission.js';
import type { Playbook, PlaybookContext, PlaybookResult } from '../src/diagnosis/playbook.js';
import { eventEvidence } from '../src/diagnosis/pods.js';
import { findRefusal, quotaNeeds, quotaState, shortfallOf } from '../src/diagnosis/quota.js';
import { namedTarget, seriesLabel } from '../src/diagnosis/target.js';
import { unknownResult } from '../src/diagnosis/unknown.js';
import { webhookCallFix } from '../src/diagnosis/webhook-calls.js';
import type { Workload } from '../src/kube/reader-api.js';
import { parseQuantity } from '../src/quantity.js';
import type { Evidence } from '../src/types.js';

const QUOTA_ALERTS: ReadonlySet<string> = new Set(['KubeQuotaAlmostFull', 'KubeQuotaFullyUsed', 'KubeQuotaExceeded']);
const MAX_REFUSED_LOOKUPS = 5;

/** The ResourceQuota a quota rule's alert is about, as its series named it. */
interface AlertQuota {
  namespace: string;
  name: string;
  /** `requests.cpu`, `pods`…: what is at or near the limit. */
  resource: string | undefined;
}

function alertQuota(labels: Record<string, string>): AlertQuota | null {
  const namespace = seriesLabel(labels, 'namespace');
  const name = seriesLabel(labels, 'resourcequota');
  return namespace && name ? { namespace, name, resource: seriesLabel(labels, 'resource') } : null;
}

/** The workload whose pods the alert's ResourceQuota refused last (FailedCreate events of its namespace), if any. */
async function refusedByAlertQuota(
  ctx: PlaybookContext,
  { namespace, name: quota }: AlertQuota,
): Promise<Workload | null> {
  const events = await ctx.read(ctx.reader.eventsWithReason(namespace, 'FailedCreate'), []);
  // The objects it refused, newest first; a few at most are looked up (older ones are likely gone or recovered).
  const refused = new Set<string>();
  for (const e of [...events].reverse()) {
    const { kind, name } = e.involvedObject ?? {};
    if (!kind || !name || refused.has(`${kind}/${name}`)) continue;
    if (!parseAdmissionRefusals(e.message ?? '').some((r) => r.type === 'quota' && r.quota === quota)) continue;
    refused.add(`${kind}/${name}`);
    const w = await ctx.read(ctx.reader.controllingWorkload(namespace, kind, name), null);
    if (w) return w;
    if (refused.size >= MAX_REFUSED_LOOKUPS) break;
  }
  return null;
}

async function quotaFindings(ctx: PlaybookContext, ns: string, r: QuotaRefusal, missing: number) {
  const evidence: Evidence[] = [];
  const needs = quotaNeeds(r, missing);
  for (const n of needs)
    evidence.push({ kind: 'status', text: `ResourceQuota ${r.quota} refused a pod for ${n.text}` });
  const quotas = await ctx.read(ctx.reader.listResourceQuotas(ns), null);
  const quota = quotas?.find((q) => q.metadata?.name === r.quota);
  let missingField: string | null = null;
  if (quota) {
    const state = quotaState(quota, new Set(Object.keys(r.limited)));
    evidence.push({ kind: 'status', text: state.text });
    missingField = state.missing;
  } else if (quotas) {
    evidence.push({
      kind: 'status',
      text: `ResourceQuota ${r.quota} is no longer in ${ns} (deleted since the refusal?)`,
    });
  }
  const raise = needs.map((n) => (n.need ? `${n.resource} to at least ${n.need}` : n.resource)).join(' and ');
  const resources = needs.map((n) => n.resource).join(', ');
  const first = needs[0];
  const summary = `ResourceQuota ${r.quota} is used up for ${resources} (${first?.text.replace(/^[^:]+: /, '') ?? ''})`;
  const fix = `Raise ResourceQuota ${r.quota}'s ${raise}${missing > 0 ? ` (room for the ${missing} missing pod(s))` : ''}, lower the pods' ${resources}, or free quota in ${ns} by scaling other workloads down.`;
  return { evidence, summary, fix, missingField };
}

/** A rollout whose new pods are refused leaves the old ones serving: going back to them is a fix too. */
function rollBack(workload: string, stuckRollout: boolean): string {
  return stuckRollout ? `, or roll ${workload} back to its previous revision (its pods are still serving)` : '';
}

async function limitRangeFindings(
  ctx: PlaybookContext,
  ns: string,
  r: LimitRangeRefusal,
  workload: string,
  stuckRollout: boolean,
) {
  const ranges = await ctx.read(ctx.reader.listLimitRanges(ns), []);
  const bucket = r.bound === 'ratio' ? 'maxLimitRequestRatio' : r.bound === 'maximum' ? 'max' : 'min';
  const allowed = parseQuantity(r.allowed);
  const range = ranges.find((lr) =>
    (lr.spec?.limits ?? []).some(
      (l) => l.type === r.per && parseQuantity(l[bucket]?.[r.resource]) === allowed && allowed !== null,
    ),
  );
  const name = range ? `LimitRange ${range.metadata?.name}` : `a LimitRange in ${ns}`;
  const rule =
    r.bound === 'ratio'
      ? `allows a ${r.resource} limit/request ratio of at most ${r.allowed} per ${r.per}, but the ${r.actual}`
      : `allows ${r.bound} ${r.resource} ${r.allowed} per ${r.per}, but the pod's ${r.actual}`;
  const evidence: Evidence[] = [{ kind: 'spec', text: `${name} ${rule}` }];
  const change =
    r.bound === 'ratio'
      ? `bring the ${r.resource} limit within ${r.allowed}× the request`
      : `${r.bound === 'maximum' ? 'lower' : 'raise'} the ${r.resource} ${r.actual.split(' ')[0]} to ${r.bound === 'maximum' ? 'at most' : 'at least'} ${r.allowed}`;
  const fix = `In ${workload}, ${change} per ${r.per}, or change ${name}${rollBack(workload, stuckRollout)}.`;
  return { evidence, summary: `${name} ${rule}`, fix };
}

/**
 * What a policy refusal means and what to change (`back`: the rollback advice for a rollout whose new pods it
 * refuses; `webhookFix`: what to change for a webhook the API server cannot call, src/diagnosis/webhook-calls.ts).
 */
function policyWords(
  r: PolicyRefusal,
  w: Workload,
  back: string,
  webhookFix: string,
): { summary: string; fix: string } {
  const template = `${w.kind}/${w.name}'s pod template`;
  switch (r.by) {
    case 'pod-security':
      return {
        summary: `Pod Security Admission refuses them: namespace ${w.namespace} enforces PodSecurity "${r.name}" (its pod-security.kubernetes.io/enforce label) and the pods violate it: ${r.reason}`,
        fix: `Set what it asks in ${template} (the pod's and containers' securityContext), or relax the namespace's pod-security.kubernetes.io/enforce label${back}. Pods already running stay until they are replaced; every replacement is refused.`,
      };
    case 'webhook-denied':
      return {
        summary: `admission webhook ${r.name} denies them${r.reason ? `: ${r.reason}` : ''}`,
        fix: `Change ${template} to satisfy that policy, or have the policy's owner change it${back}.`,
      };
    case 'webhook-unreachable':
      return {
        summary: `the API server cannot call admission webhook ${r.name} (${r.reason}), and its failurePolicy is Fail, so every pod it intercepts is refused`,
        fix: `${webhookFix} Every workload whose pods it intercepts is stuck meanwhile; nothing in ${template} is wrong.`,
      };
    case 'service-account': {
      const account = r.name.split('/').at(-1) ?? r.name;
      return {
        summary: `ServiceAccount ${r.name} does not exist (${r.reason})`,
        fix: `Create ServiceAccount ${account} in ${w.namespace}, or correct serviceAccountName in ${template}${back}.`,
      };
    }
  }
}

export const quotaExceeded: Playbook = {
  name: 'quota-exceeded',
  rootCauses: ['QUOTA_EXCEEDED', 'UNKNOWN'],
  matches: (event) => namedTarget(event.alert.labels) !== null || QUOTA_ALERTS.has(event.alert.labels.alertname ?? ''),
  async diagnose(ctx) {
    if (!QUOTA_ALERTS.has(ctx.event.alert.labels.alertname ?? '')) {
      return ctx.target?.found && ctx.target.workload ? refusedWorkload(ctx, ctx.target.workload) : null;
    }
    const quota = alertQuota(ctx.event.alert.labels);
    if (!quota) return null;
    const w = await refusedByAlertQuota(ctx, quota);
    return (w ? await refusedWorkload(ctx, w) : null) ?? quotaWithoutShortfall(ctx, quota, w);
  },
};

/**
 * A quota rule's alert with no workload short because of it: the quota's state, and that nothing fails because
 * of it (yet) — UNKNOWN, low confidence, no fix: a quota at its limit is what quotas are for until a pod needs more.
 */
async function quotaWithoutShortfall(
  ctx: PlaybookContext,
  { namespace, name, resource }: AlertQuota,
  refusedBefore: Workload | null,
): Promise<PlaybookResult> {
  const quotas = await ctx.read(ctx.reader.listResourceQuotas(namespace), null);
  const quota = quotas?.find((q) => q.metadata?.name === name);
  const evidence: Evidence[] = [];
  if (quota) evidence.push({ kind: 'status', text: quotaState(quota, new Set()).text });
  else if (quotas) evidence.push({ kind: 'status', text: `ResourceQuota ${name} is not in ${namespace}` });
  const refusals = refusedBefore
    ? `it refused pods of ${refusedBefore.kind} ${refusedBefore.name} before, which has every replica it wants now`
    : `no FailedCreate event in ${namespace} names it`;
  return unknownResult(
    `ResourceQuota ${name} in ${namespace} is at or near its limit${resource ? ` for ${resource}` : ''}, but no workload is short of pods because of it (${refusals}). Nothing fails yet; the next pod that needs more (a scale-up, a rollout's surge pod) will be refused: raise the quota or lower requests before then.`,
    evidence,
  );
}

/** QUOTA_EXCEEDED for a workload whose pods the API server refuses (short of replicas, or a stuck rollout). */
async function refusedWorkload(ctx: PlaybookContext, w: Workload): Promise<PlaybookResult | null> {
  const refused = await findRefusal(ctx, w);
  if (!refused) return null;
  // Short of replicas, or a rollout whose new ReplicaSet cannot create its pods while the old ones still serve.
  const short = shortfallOf(w);
  if (!short && refused.missing === 0) return null;
  const missing = short ? Math.max(short.wanted - short.current, refused.missing) : refused.missing;
  const evidence: Evidence[] = [
    {
      kind: 'status',
      text: short
        ? `${w.kind} ${w.name}: ${short.ready} of ${short.wanted} replicas ready, ${short.current} pod(s) exist; ${missing} cannot be created`
        : `${w.kind} ${w.name} has its replicas ready, but ${refused.reporter} cannot create ${missing} pod(s): the rollout cannot progress`,
    },
    refused.event ? eventEvidence(refused.event) : { kind: 'status', text: `${refused.reporter}: ${refused.message}` },
  ];
  const state = short
    ? `${w.kind} ${w.name} is short of ${short.wanted - short.ready} replica(s) (${short.ready}/${short.wanted} ready)`
    : `The rollout of ${w.kind} ${w.name} is stuck (${refused.reporter} is missing ${missing} pod(s))`;
  const policy = refused.refusals.find((r): r is PolicyRefusal => r.type === 'policy');
  if (policy) {
    const webhookFix = policy.by === 'webhook-unreachable' ? await webhookCallFix(ctx, policy.reason) : '';
    const words = policyWords(policy, w, rollBack(`${w.kind}/${w.name}`, !short), webhookFix);
    const result = unknownResult(
      `${state} because the API server refuses to create its pods: ${words.summary}. ${words.fix} No Medic action changes this, so nothing is proposed.`,
      evidence,
    );
    return { ...result, target: { kind: w.kind, namespace: w.namespace, name: w.name } };
  }
  const summaries: string[] = [];
  const fixes: string[] = [];
  let partial = false;
  for (const r of refused.refusals) {
    if (r.type === 'quota') {
      const f = await quotaFindings(ctx, w.namespace, r, missing);
      evidence.push(...f.evidence);
      summaries.push(f.summary);
      fixes.push(f.fix);
      partial ||= f.missingField !== null;
    } else if (r.type === 'limitrange') {
      const f = await limitRangeFindings(ctx, w.namespace, r, `${w.kind}/${w.name}`, !short);
      evidence.push(...f.evidence);
      summaries.push(f.summary);
      fixes.push(f.fix);
    } else if (r.type === 'quota-rule') {
      summaries.push(`ResourceQuota ${r.quota} refuses the pod: ${r.reason}`);
      fixes.push(`Give every container of ${w.kind}/${w.name} what ResourceQuota ${r.quota} requires (${r.reason}).`);
    }
  }
  const summary = `${state} because the API server refuses to create its pods: ${summaries.join('; ')}. ${fixes.join(' ')} No Medic action changes quotas or limit ranges.`;
  return {
    rootCause: { code: 'QUOTA_EXCEEDED', summary, confidence: 'high' },
    evidence,
    actions: [],
    partial,
    target: { kind: w.kind, namespace: w.namespace, name: w.name },
  };
}
