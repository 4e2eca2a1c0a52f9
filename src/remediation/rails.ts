/** Guard rails from medic.yaml that do not depend on the cluster: allowed kinds and namespaces, /scale bounds. */
import type { Settings } from '../config/settings.js';
import type { ActionKind } from '../vocabulary.js';
import { railRefusal } from './errors.js';

function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(value);
}

/**
 * The one namespace rule (dry run, approval and execution alike): the medic.yaml setting that keeps Medic out
 * of `namespace`, or null when it may act there. Entries are globs (`ads-*`); deny wins over allow.
 */
export function namespaceOutOfScope(
  remediation: Settings['remediation'],
  namespace: string,
): { rail: 'remediation.denyNamespaces' | 'remediation.namespaces'; reason: string } | null {
  if (remediation.denyNamespaces.some((p) => matchesPattern(p, namespace))) {
    return { rail: 'remediation.denyNamespaces', reason: `namespace ${namespace} is excluded from remediation` };
  }
  if (!remediation.namespaces.some((p) => matchesPattern(p, namespace))) {
    return {
      rail: 'remediation.namespaces',
      reason: `namespace ${namespace} is not in the namespaces Medic may change`,
    };
  }
  return null;
}

/** Throws the refusal naming the rail when `kind` may not run (in `namespace`, when namespaced). */
export function checkScopeRails(settings: Settings, kind: ActionKind, namespace: string | undefined): void {
  const { remediation } = settings;
  if (!remediation.kinds.includes(kind)) {
    throw railRefusal('remediation.kinds', `action kind ${kind} is not enabled in medic.yaml`);
  }
  if (namespace === undefined) return;
  const outside = namespaceOutOfScope(remediation, namespace);
  if (outside) throw railRefusal(outside.rail, outside.reason);
}

/**
 * The one scale rule (`/scale`, the scale action and the replicas of a rollout-safety patch): never beyond
 * scale.min/max, never by more than scale.maxFactor from the current count (when known). The medic.yaml setting
 * a request breaks, with why; null when within bounds.
 */
export function scaleBoundBreach(
  bounds: Settings['scale'],
  requested: number,
  current?: number,
): { rail: 'scale.min' | 'scale.max' | 'scale.maxFactor'; reason: string } | null {
  const { min, max, maxFactor } = bounds;
  if (requested < min) return { rail: 'scale.min', reason: `${requested} replicas is below the minimum of ${min}` };
  if (requested > max) return { rail: 'scale.max', reason: `${requested} replicas is above the maximum of ${max}` };
  if (current === undefined) return null;
  const grown = Math.max(requested, 1) / Math.max(current, 1);
  const factor = Math.max(grown, 1 / grown);
  if (factor > maxFactor) {
    return {
      rail: 'scale.maxFactor',
      reason: `${current} → ${requested} replicas changes the size ${factor.toFixed(1)}×, more than the allowed ${maxFactor}×`,
    };
  }
  return null;
}

/** Throws the refusal naming the rail when `requested` breaks the scale bounds. */
export function checkScaleRails(settings: Settings, current: number, requested: number): void {
  const breach = scaleBoundBreach(settings.scale, requested, current);
  if (breach) throw railRefusal(breach.rail, breach.reason);
}
