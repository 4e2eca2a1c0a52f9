/**
 * The picture for an OOM diagnosis: the container's memory usage against its limit, from Prometheus,
 * as a PNG the Slack notifier attaches to the thread (files.uploadV2) and the console shows.
 */
import type { Logger } from '../logger.js';
import { fetchMemoryHistory, type MemorySelector } from '../prometheus/client.js';
import type { Diagnosis } from '../types.js';
import type { RootCauseCode } from '../vocabulary.js';
import { renderMemoryChart } from './memory-chart.js';

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const CHARTED_CAUSES: ReadonlySet<RootCauseCode> = new Set(['OOM_LIMIT', 'SIDECAR_OOM_IDENTITY_CHURN']);

export interface DiagnosisChart {
  filename: string;
  png: Buffer;
  title: string;
}

export interface DiagnosisChartOptions {
  /** PROMETHEUS_URL; no chart without it. */
  prometheusUrl: string | undefined;
  rangeMinutes?: number;
  signal?: AbortSignal;
  now?: () => number;
  /** Where a failed Prometheus query is reported; the diagnosis is posted without a chart then. */
  logger?: Logger;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Which container of which pod(s) the diagnosis is about, from its memory action and target. */
export function memorySelectorFor(diagnosis: Diagnosis): MemorySelector | null {
  if (!CHARTED_CAUSES.has(diagnosis.rootCause.code)) return null;
  const action = diagnosis.actions.find((a) => a.kind === 'set-memory-limit');
  const { namespace, container, workload } = action?.params ?? {};
  if (typeof namespace !== 'string' || typeof container !== 'string') return null;
  const target = diagnosis.target;
  if (target?.kind === 'Pod' && target.namespace === namespace) return { namespace, container, pod: target.name };
  if (typeof workload !== 'string') return null;
  const [kind, name = ''] = workload.split('/');
  // A StatefulSet's pods are <name>-<ordinal>; a Deployment's <name>-<pod-template-hash>-<suffix>, the hash
  // in Kubernetes' vowel-free alphabet, so `proxy` does not also match `proxy-gateway-…`.
  const suffix = kind === 'StatefulSet' ? '[0-9]+' : `[${HASH_ALPHABET}]{1,10}-[a-z0-9]{5}`;
  return { namespace, container, podRegex: `${escapeRegex(name)}-${suffix}` };
}

/**
 * Builds the memory chart for an OOM or sidecar-OOM diagnosis; null when the diagnosis is of another
 * kind, PROMETHEUS_URL is unset, Prometheus has no samples, or it failed (logged at warn).
 */
export async function buildMemoryChartForDiagnosis(
  diagnosis: Diagnosis,
  options: DiagnosisChartOptions,
): Promise<DiagnosisChart | null> {
  const selector = memorySelectorFor(diagnosis);
  if (!selector || !options.prometheusUrl) return null;
  const rangeMinutes = options.rangeMinutes ?? 60;
  try {
    const history = await fetchMemoryHistory(options.prometheusUrl, selector, rangeMinutes, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    if (!history) return null;
    const title = `${history.namespace}/${history.pod} · ${history.container} memory, last ${rangeMinutes} min`;
    const png = renderMemoryChart({ title, series: history.series, limitBytes: history.limitBytes });
    return { filename: `memory-${history.pod}-${history.container}.png`, png, title };
  } catch (error) {
    options.logger?.warn(
      { err: error, fingerprint: diagnosis.alert.fingerprint, selector },
      'memory chart skipped: Prometheus query failed',
    );
    return null;
  }
}
