/**
 * The playbook engine: resolves the alert's target, runs the playbooks in registry order through a reader scoped
 * to this diagnosis (its own AbortSignal with a timeout and request count), and returns the first diagnosis.
 * A failed query or a failing playbook never crashes it: the worst case is UNKNOWN with `partial: true`.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Settings } from '../config/settings.js';
import { errorMessage } from '../errors.js';
import type { ClusterReader } from '../kube/reader.js';
import type { Logger } from '../logger.js';
import type { Diagnosis, DiagnosisEngine, Target } from '../types.js';
import {
  type Playbook,
  type PlaybookContext,
  type PlaybookResult,
  QueryFailures,
  type ResolvedTarget,
} from './playbook.js';
import { pausedLead, pausedWords, TEMPLATE_CHANGES } from './rollout.js';
import { resolveTarget } from './target.js';
import { unknownResult } from './unknown.js';

export interface DiagnosisStats {
  fingerprint: string;
  playbook: string;
  /** Kubernetes API requests this diagnosis made (answers shared from the short-lived cache are not counted). */
  requests: number;
  durationMs: number;
}

export interface PlaybookEngineOptions {
  reader: ClusterReader;
  settings: Settings;
  logger: Logger;
  /** PROMETHEUS_URL: passed to playbooks that read usage history; without it they use metrics.k8s.io only. */
  prometheusUrl?: string | undefined;
  now?: () => number;
  /** In the order they are tried: playbooks/index.ts PLAYBOOKS, passed in by the composition root. */
  playbooks: readonly Playbook[];
  /** Upper bound of one diagnosis; default 10 s. */
  timeoutMs?: number;
  onDiagnosis?: (stats: DiagnosisStats) => void;
}

export function createPlaybookEngine(options: PlaybookEngineOptions): DiagnosisEngine {
  const now = options.now ?? Date.now;
  const { playbooks } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function diagnose(event: AlertEvent, signal: AbortSignal): Promise<Diagnosis> {
    const started = performance.now();
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    const reader = options.reader.scoped(bounded);
    const logger = options.logger.child({ fingerprint: event.alert.fingerprint });
    const failures = new QueryFailures(logger);
    const target = await resolveTarget(reader, event, failures.read);
    const ctx: PlaybookContext = {
      event,
      reader,
      logger,
      signal: bounded,
      now,
      settings: options.settings,
      prometheusUrl: options.prometheusUrl,
      target,
      read: failures.read,
    };
    let chosen: { playbook: Playbook; result: PlaybookResult } | null = null;
    for (const playbook of playbooks) {
      if (!playbook.matches(event)) continue;
      const result = await runPlaybook(playbook, ctx, failures, logger);
      if (result) {
        chosen = { playbook, result };
        break;
      }
    }
    if (chosen) chosen = { ...chosen, result: withoutPausedChanges(chosen.result, target) };
    const diagnosis = toDiagnosis(event, target, chosen, failures);
    options.onDiagnosis?.({
      fingerprint: event.alert.fingerprint,
      playbook: diagnosis.playbook,
      requests: reader.requestCount,
      durationMs: performance.now() - started,
    });
    return diagnosis;
  }

  return { diagnose };
}

async function runPlaybook(playbook: Playbook, ctx: PlaybookContext, failures: QueryFailures, logger: Logger) {
  try {
    return await playbook.diagnose(ctx);
  } catch (error) {
    logger.error({ err: error, playbook: playbook.name }, 'playbook failed; trying the next one');
    failures.evidence.push({ kind: 'status', text: `Playbook ${playbook.name} failed: ${errorMessage(error)}` });
    return null;
  }
}

/**
 * A paused Deployment rolls out no change to its pod template: such proposals for it are dropped, and the evidence
 * says why (once: a rollback finding may have said it already).
 */
function withoutPausedChanges(result: PlaybookResult, target: ResolvedTarget | null): PlaybookResult {
  const workload = target?.workload ?? null;
  const paused = pausedWords(workload);
  if (!paused || !workload) return result;
  const ref = `Deployment/${workload.name}`;
  const held = (a: PlaybookResult['actions'][number]) => TEMPLATE_CHANGES.has(a.kind) && a.params.workload === ref;
  if (!result.actions.some(held)) return result;
  const said = result.evidence.some((e) => e.text.startsWith(pausedLead(workload.name)));
  return {
    ...result,
    actions: result.actions.filter((a) => !held(a)),
    evidence: said ? result.evidence : [...result.evidence, { kind: 'spec', text: paused }],
  };
}

function toDiagnosis(
  event: AlertEvent,
  target: ResolvedTarget | null,
  chosen: { playbook: Playbook; result: PlaybookResult } | null,
  failures: QueryFailures,
): Diagnosis {
  const result: PlaybookResult = chosen?.result ?? unknownResult('No playbook could decide.');
  return {
    alert: {
      fingerprint: event.alert.fingerprint,
      alertname: event.alert.labels.alertname ?? '',
      status: event.alert.status,
    },
    playbook: chosen?.playbook.name ?? 'none',
    target: target ? toTarget(target) : (result.target ?? null),
    rootCause: result.rootCause,
    evidence: [
      ...(target?.via ? [{ kind: 'status' as const, text: target.via }] : []),
      ...result.evidence,
      ...failures.evidence,
    ],
    actions: result.actions,
    partial: failures.partial || result.partial === true,
  };
}

function toTarget(t: ResolvedTarget): Target {
  return {
    kind: t.kind,
    ...(t.namespace ? { namespace: t.namespace } : {}),
    name: t.name,
    ...(t.workload ? { workload: { kind: t.workload.kind, name: t.workload.name } } : {}),
  };
}
