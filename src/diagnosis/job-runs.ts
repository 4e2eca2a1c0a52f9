/**
 * A Job that runs on and on (kubernetes-mixin's KubeJobNotCompleted: active for more than 12 h) with no pod failing:
 * what keeps it running and what would stop it. A Job completes only when every container of its pod has stopped,
 * so a regular container that never exits after the main one finished (a log shipper, a mesh proxy) keeps it active
 * for ever; otherwise its pod runs and waits, and its last log line says for what. Nothing stops it without
 * activeDeadlineSeconds, and its CronJob's concurrencyPolicy decides what the next runs do meanwhile.
 */
import type { Job } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { tellingLogLines } from './logs.js';
import { alertStartMs, type PlaybookContext, type ResolvedTarget } from './playbook.js';
import { containersOf, cronJobOf, durationWords, isoTime, listNames, podName } from './pods.js';

/** How long a Job must have been active before the alert for its long run to be the finding. */
const LONG_RUN_MS = 3600_000;

/** What the CronJob does while this run goes on, by its concurrencyPolicy. */
/** Names and images of containers that serve beside the work and never exit on their own. */
const SIDECAR_HINT =
  /proxy|envoy|istio|linkerd|fluent|vector|otel|collector|datadog|agent|sidecar|shipper|vault|consul|cloud-?sql/i;

const CONCURRENCY: Record<string, string> = {
  Forbid: 'skips every scheduled run while this one is active',
  Replace: 'will replace this run with the next scheduled one',
  Allow: 'starts the next runs beside it, so stuck runs pile up',
};

/** The summary for a Job still active with no failing pod (adds its evidence), or null for anything else. */
export async function jobRunningOn(
  ctx: PlaybookContext,
  target: ResolvedTarget,
  evidence: Evidence[],
): Promise<string | null> {
  const workload = target.workload;
  if (workload?.kind !== 'Job') return null;
  const job = workload.object as Job;
  const finished = job.status?.conditions?.some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  const started = job.status?.startTime;
  if (finished || !started || (job.status?.active ?? 0) === 0) return null;
  // A run younger than an hour is no finding: most Jobs take minutes, and the alert is then about something else.
  const ranMs = alertStartMs(ctx) - Date.parse(started);
  if (!(ranMs >= LONG_RUN_MS)) return null;
  const running = target.pods.filter((p) => p.status?.phase === 'Running');
  const first = running[0];
  if (!first) return null;
  const since = `has been active since ${isoTime(started)} (${durationWords(ranMs)} before the alert)`;
  const deadline = job.spec?.activeDeadlineSeconds;
  const stop = deadline
    ? `its activeDeadlineSeconds (${deadline} s) will stop it`
    : 'nothing stops it: it has no activeDeadlineSeconds';
  const owner = cronJobOf(job);
  let schedule = '';
  if (owner) {
    const cron = await ctx.read(ctx.reader.getCronJob(workload.namespace, owner), null);
    const policy = cron?.spec?.concurrencyPolicy ?? 'Allow';
    const last = cron?.status?.lastSuccessfulTime;
    schedule = ` CronJob ${owner} (concurrencyPolicy ${policy}) ${CONCURRENCY[policy] ?? CONCURRENCY.Allow}${last ? `; its last successful run finished ${isoTime(last)}` : ''}.`;
  }
  const views = containersOf(first).filter((v) => !v.isInit);
  const done = views.filter((v) => v.status.state?.terminated?.exitCode === 0);
  const still = views.filter((v) => v.status.state?.running);
  // The work is done when the main container (the first listed, kubectl's default) finished, or when what still runs
  // is a helper by its name or image; a helper that finished beside a main container still working is no sign.
  const mainName = first.spec?.containers?.[0]?.name;
  const workDone =
    done.length > 0 &&
    still.length > 0 &&
    (done.some((v) => v.status.name === mainName) ||
      still.every((v) => SIDECAR_HINT.test(`${v.status.name} ${v.spec?.image ?? ''}`)));
  evidence.push({
    kind: 'status',
    text: `Job ${workload.name}: ${job.status?.active} active pod(s), ${job.status?.succeeded ?? 0} succeeded, ${job.status?.failed ?? 0} failed; started ${isoTime(started)}; ${deadline ? `activeDeadlineSeconds ${deadline}` : 'no activeDeadlineSeconds'}`,
  });
  for (const v of views) {
    const t = v.status.state?.terminated;
    evidence.push({
      kind: 'status',
      text: `${podName(first)}/${v.status.name}: ${t ? `terminated ${t.reason ?? ''} exit ${t.exitCode} at ${isoTime(t.finishedAt)}` : v.status.state?.running ? `running since ${isoTime(v.status.state.running.startedAt)}` : 'not running'}`,
    });
  }
  if (workDone) {
    const main = done.find((v) => v.status.name === mainName) ?? done[0];
    const finishedAt = isoTime(main?.status.state?.terminated?.finishedAt);
    const names = listNames(
      still.map((v) => v.status.name),
      3,
    );
    return `Job ${workload.name}${owner ? ` (CronJob ${owner})` : ''} ${since}, but its work is done: container ${main?.status.name} of pod ${podName(first)} finished with exit 0 at ${finishedAt}, while ${names} still ${still.length === 1 ? 'runs' : 'run'}. A Job completes only when every container of its pod has stopped, and ${names} never ${still.length === 1 ? 'exits' : 'exit'} on ${still.length === 1 ? 'its' : 'their'} own. Make ${names} a native sidecar (move ${still.length === 1 ? 'it' : 'them'} to initContainers with restartPolicy: Always, Kubernetes 1.29+), or have ${still.length === 1 ? 'it' : 'them'} exit when ${main?.status.name} does; ${stop}.${schedule} Medic proposes nothing: deleting the pod only makes the Job start another that ends the same way.`;
  }
  const waiting = views.find((v) => v.status.state?.running);
  const [last] = waiting ? await tellingLogLines(ctx, waiting, { current: true, maxLines: 1 }) : [];
  if (last && waiting) evidence.push({ kind: 'log', text: `${podName(first)}/${waiting.status.name}: ${last}` });
  return `Job ${workload.name}${owner ? ` (CronJob ${owner})` : ''} ${since} and has not completed; its pod ${podName(first)} runs without failing${last ? `, and the last line of its log says: ${last}` : ''}. ${stop.charAt(0).toUpperCase()}${stop.slice(1)}.${schedule} Find what the run waits for (a lock, a dependency, more data than usual); set activeDeadlineSeconds${owner ? " in the CronJob's jobTemplate" : ''} so a stuck run ends. Medic proposes nothing.`;
}
