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

/** /scale bounds: never beyond scale.min/max, never by more than scale.maxFactor from the current count. */
export function checkScaleRails(settings: Settings, current: number, requested: number): void {
  const { min, max, maxFactor } = settings.scale;
  if (requested < min) throw railRefusal('scale.min', `${requested} replicas is below the minimum of ${min}`);
  if (requested > max) throw railRefusal('scale.max', `${requested} replicas is above the maximum of ${max}`);
  const base = Math.max(current, 1);
  if (requested > base * maxFactor) {
    throw railRefusal('scale.maxFactor', `${current} → ${requested} replicas grows by more than ×${maxFactor}`);
  }
  if (requested > 0 && current > requested * maxFactor) {
    throw railRefusal('scale.maxFactor', `${current} → ${requested} replicas shrinks by more than ×${maxFactor}`);
  }
}
