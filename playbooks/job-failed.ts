/**
 * JOB_FAILED: a Job failed for good (its `Failed` condition: BackoffLimitExceeded, DeadlineExceeded, …) and no more
 * specific cause explains its pods — an OOM-killed Job pod is OOM_LIMIT, an image it cannot pull IMAGE_PULL_FAILURE,
 * a missing Secret CONFIG_MISSING; those playbooks run first. Runs before crashloop: a Job's pods fail once each
 * (restartPolicy Never) and the Job gives up, which is not a crash loop. Evidence: the Job and its CronJob, the
 * reason, failed and succeeded pods, the last failed pod's exit code and log tail, and what that log says beyond the
 * exit (the crash readings: a refused service account, rejected credentials, a certificate, …). No button:
 * re-running or deleting a Job is a decision for its owner, after the cause is fixed.
 */
import { crashReadings } from '../src/diagnosis/crash-readings.js';
import { logEvidence, tellingLogLines } from '../src/diagnosis/logs.js';
import type { Playbook, PlaybookContext } from '../src/diagnosis/playbook.js';
import {
  type ContainerView,
  containersOf,
  cronJobOf,
  isoTime,
  listNames,
  oomTermination,
  podName,
} from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Job, Pod, Workload } from '../src/kube/reader.js';
import type { Evidence } from '../src/types.js';

const PULL_REASONS = /ErrImagePull|ImagePullBackOff|InvalidImageName/;
const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

export const jobFailed: Playbook = {
  name: 'job-failed',
  rootCauses: ['JOB_FAILED'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const workload = await failedJob(ctx);
    if (!workload) return null;
    const job = workload.object as Job;
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
    if (!failed) return null;
    const pods =
      ctx.target?.workload?.name === workload.name && ctx.target.kind === 'Job'
        ? ctx.target.pods
        : await ctx.read(ctx.reader.podsOf(workload), []);
    // A more specific cause belongs to the playbooks that name it (they run first on the Job's pods).
    const views = pods.flatMap(containersOf);
    if (views.some((v) => oomTermination(v.status) || PULL_REASONS.test(v.status.state?.waiting?.reason ?? '')))
      return null;
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    const last = lastFailure(failedPods);
    const evidence: Evidence[] = [
      {
        kind: 'status',
        text: `Job ${workload.namespace}/${workload.name} failed at ${isoTime(failed.lastTransitionTime)}: ${failed.reason ?? 'Failed'}${failed.message ? ` (${failed.message})` : ''}; ${job.status?.failed ?? failedPods.length} failed pod(s), ${job.status?.succeeded ?? 0} succeeded; ${limits(job)}`,
      },
    ];
    const cronJob = await cronJobEvidence(ctx, workload);
    if (cronJob) evidence.push(cronJob);
    const indexes = failedIndexes(job, failedPods);
    if (indexes) evidence.push({ kind: 'status', text: indexes });
    if (last) {
      const t = last.status.state?.terminated ?? last.status.lastState?.terminated;
      evidence.push({
        kind: 'status',
        text: `Last failed pod ${podName(last.pod)}: container ${last.status.name} exit code ${t?.exitCode ?? '?'} (reason ${t?.reason ?? 'none'}${t?.message ? `: ${t.message.trim()}` : ''}) at ${isoTime(t?.finishedAt)}; failed pods: ${listNames(failedPods.map(podName), 6)}`,
      });
      evidence.push(...(await logEvidence(ctx, last)));
    }
    // The same scoped read logEvidence made; what the log says beyond the exit (src/diagnosis/crash-readings.ts).
    const logLines = last ? await tellingLogLines(ctx, last) : [];
    const logLine = logLines.length > 0 ? logLines.join(' | ') : undefined;
    const readings = last ? await crashReadings(ctx, last, logLines) : null;
    if (readings) evidence.push(...readings.evidence);
    const said = readings?.sentences.map((x) => ` ${x}`).join('') ?? '';
    const owner = cronJobOf(job);
    const exit = last ? (last.status.state?.terminated ?? last.status.lastState?.terminated)?.exitCode : undefined;
    const deadline = job.spec?.activeDeadlineSeconds;
    const summary =
      failed.reason === 'DeadlineExceeded' && deadline
        ? `Job ${workload.name}${owner ? ` (CronJob ${owner})` : ''} ran longer than its activeDeadlineSeconds of ${deadline} s (started ${isoTime(job.status?.startTime)}, stopped ${isoTime(failed.lastTransitionTime)}): Kubernetes stopped its pods; the deadline, not a crash, ended it${exit !== undefined ? ` (the last failed pod exited with code ${exit})` : ''}.${said} Find why this run was slow or stuck (more data than usual, a dependency that hangs) before raising the deadline${owner ? " in the CronJob's jobTemplate" : ''}.`
        : `Job ${workload.name}${owner ? ` (CronJob ${owner})` : ''} failed for good: ${failed.reason ?? 'Failed'} after ${job.status?.failed ?? failedPods.length} failed pod(s)${exit !== undefined ? `; the last one exited with code ${exit}` : ''}${logLine ? `, its log says: ${logLine}` : ''}.${said} Fix the cause before re-running it${owner ? ' (the CronJob starts the next run on schedule)' : ''}.`;
    return {
      rootCause: { code: 'JOB_FAILED', summary, confidence: last ? 'high' : 'medium' },
      evidence,
      actions: [],
    };
  },
};

/**
 * The Job the alert is about: the resolved target, a pod's Job, or the `job_name` label (KubeJobFailed carries the
 * exporter's own `pod`, so the resolved target may be kube-state-metrics' pod rather than the Job).
 */
async function failedJob(ctx: PlaybookContext): Promise<Workload | null> {
  const target = ctx.target;
  if (target?.workload?.kind === 'Job') return target.workload;
  const labels = ctx.event.alert.labels;
  const namespace = labels.namespace ?? labels.exported_namespace;
  if (!labels.job_name || !namespace) return null;
  return ctx.read(ctx.reader.getWorkload(namespace, 'Job', labels.job_name), null);
}

function limits(job: Job): string {
  const s = job.spec;
  const parts = [
    `backoffLimit ${s?.backoffLimit ?? 6}`,
    `completions ${s?.completions ?? 1}`,
    `parallelism ${s?.parallelism ?? 1}`,
  ];
  if (s?.activeDeadlineSeconds) parts.push(`activeDeadlineSeconds ${s.activeDeadlineSeconds}`);
  if (s?.backoffLimitPerIndex !== undefined) parts.push(`backoffLimitPerIndex ${s.backoffLimitPerIndex}`);
  return parts.join(', ');
}

async function cronJobEvidence(ctx: PlaybookContext, workload: Workload): Promise<Evidence | null> {
  const name = cronJobOf(workload.object as Job);
  if (!name) return null;
  const cron = await ctx.read(ctx.reader.getCronJob(workload.namespace, name), null);
  if (!cron) return { kind: 'spec', text: `Started by CronJob ${name}, which no longer exists` };
  const success = cron.status?.lastSuccessfulTime;
  return {
    kind: 'spec',
    text: `Started by CronJob ${name} (schedule "${cron.spec?.schedule}"${cron.spec?.timeZone ? ` ${cron.spec.timeZone}` : ''}, concurrencyPolicy ${cron.spec?.concurrencyPolicy ?? 'Allow'}${cron.spec?.suspend ? ', suspended' : ''}); last successful run ${success ? isoTime(success) : 'never'}`,
  };
}

/** For Indexed Jobs: which completion indexes failed, so one bad shard stands out among the ones that succeeded. */
function failedIndexes(job: Job, failedPods: Pod[]): string | null {
  if (job.spec?.completionMode !== 'Indexed') return null;
  const fromPods = [...new Set(failedPods.map((p) => p.metadata?.annotations?.[INDEX_ANNOTATION]).filter(Boolean))];
  const indexes = job.status?.failedIndexes ?? fromPods.join(',');
  if (!indexes) return null;
  return `Indexed Job: completed indexes ${job.status?.completedIndexes || 'none'}, failed index(es) ${indexes} — the failures come from ${fromPods.length === 1 ? 'one index' : 'these indexes'}, not from every pod`;
}

/** The container of the most recently failed pod that ended with a non-zero exit. */
function lastFailure(failedPods: Pod[]): ContainerView | null {
  const ended = failedPods
    .flatMap(containersOf)
    .filter((v) => ((v.status.state?.terminated ?? v.status.lastState?.terminated)?.exitCode ?? 0) !== 0);
  const time = (v: ContainerView) =>
    new Date((v.status.state?.terminated ?? v.status.lastState?.terminated)?.finishedAt ?? 0).getTime();
  return ended.sort((a, b) => time(b) - time(a))[0] ?? null;
}
