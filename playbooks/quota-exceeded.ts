/**
 * QUOTA_EXCEEDED: a workload is short of replicas because the API server refuses to create its pods — a
 * ResourceQuota is used up or a LimitRange forbids the pod (FailedCreate "… is forbidden: exceeded quota: …" /
 * "maximum memory usage per Container is …"). No action kind changes a quota: the diagnosis says what to change.
 */
import type { LimitRangeRefusal, QuotaRefusal } from '../src/diagnosis/admission.js';
import type { Playbook, PlaybookContext } from '../src/diagnosis/playbook.js';
import { eventEvidence } from '../src/diagnosis/pods.js';
import { findRefusal, quotaNeeds, quotaState, shortfallOf } from '../src/diagnosis/quota.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { parseQuantity } from '../src/quantity.js';
import type { Evidence } from '../src/types.js';

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

async function limitRangeFindings(ctx: PlaybookContext, ns: string, r: LimitRangeRefusal, workload: string) {
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
      : `${r.bound === 'maximum' ? 'lower' : 'raise'} the ${r.actual.split(' ')[0]} of ${r.resource} to ${r.bound === 'maximum' ? 'at most' : 'at least'} ${r.allowed}`;
  const fix = `In ${workload}, ${change} per ${r.per}, or change ${name}.`;
  return { evidence, summary: `${name} ${rule}`, fix };
}

export const quotaExceeded: Playbook = {
  name: 'quota-exceeded',
  rootCauses: ['QUOTA_EXCEEDED'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const w = ctx.target?.found ? ctx.target.workload : null;
    if (!w) return null;
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
      refused.event
        ? eventEvidence(refused.event)
        : { kind: 'status', text: `${refused.reporter}: ${refused.message}` },
    ];
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
        const f = await limitRangeFindings(ctx, w.namespace, r, `${w.kind}/${w.name}`);
        evidence.push(...f.evidence);
        summaries.push(f.summary);
        fixes.push(f.fix);
      } else {
        summaries.push(`ResourceQuota ${r.quota} refuses the pod: ${r.reason}`);
        fixes.push(`Give every container of ${w.kind}/${w.name} what ResourceQuota ${r.quota} requires (${r.reason}).`);
      }
    }
    const state = short
      ? `${w.kind} ${w.name} is short of ${short.wanted - short.ready} replica(s) (${short.ready}/${short.wanted} ready)`
      : `The rollout of ${w.kind} ${w.name} is stuck (${refused.reporter} is missing ${missing} pod(s))`;
    const summary = `${state} because the API server refuses to create its pods: ${summaries.join('; ')}. ${fixes.join(' ')} No Medic action changes quotas or limit ranges.`;
    return {
      rootCause: { code: 'QUOTA_EXCEEDED', summary, confidence: 'high' },
      evidence,
      actions: [],
      partial,
    };
  },
};
