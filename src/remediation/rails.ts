/**
 * Guard rails from medic.yaml: allowed kinds and namespaces, /scale bounds, and what to do with objects a GitOps
 * tool owns (`managedBy`).
 */
import type { OwnerPolicy, Settings } from '../config/settings.js';
import type { GitOpsNote } from '../types.js';
import type { ActionKind } from '../vocabulary.js';
import { railRefusal } from './errors.js';
import { detectOwner, manifestSnippet } from './ownership.js';
import type { ManifestEdit } from './types.js';

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

const STRICTNESS: Record<OwnerPolicy, number> = { allow: 0, warn: 1, refuse: 2 };

/**
 * The one GitOps rule (dry run and execution alike): for the objects a change lands in, the owner that syncs
 * them (ownership.ts) and medic.yaml `managedBy` decide. Null when nothing owns them or every owner is `allow`;
 * otherwise the strictest policy among the owners, the rail that names it, and the change to commit.
 */
export function gitOpsVerdict(
  managedBy: Settings['managedBy'],
  edits: ManifestEdit[] | undefined,
): { rail: string; note: GitOpsNote } | null {
  const owned = (edits ?? []).flatMap((edit) => {
    const owner = detectOwner(edit.metadata);
    const policy = owner ? managedBy[owner.tool] : 'allow';
    return owner && policy !== 'allow' ? [{ edit, owner, policy }] : [];
  });
  const strictest = owned.reduce<(typeof owned)[number] | undefined>(
    (top, o) => (top && STRICTNESS[top.policy] >= STRICTNESS[o.policy] ? top : o),
    undefined,
  );
  if (!strictest) return null;
  const owners = [...new Set(owned.map((o) => o.owner.description))];
  return {
    rail: `managedBy.${strictest.owner.tool}`,
    note: {
      policy: strictest.policy,
      owners,
      advice: strictest.owner.advice,
      manifest: manifestSnippet(owned.map(({ edit, owner }) => ({ edit, owner }))),
    },
  };
}

/** The refusal of a `refuse` verdict: names the rail and the owner. */
export function gitOpsRefusal(verdict: { rail: string; note: GitOpsNote }) {
  return railRefusal(verdict.rail, `${verdict.note.owners.join(' and ')} owns it; commit the change instead`);
}

/**
 * At execution: throws the refusal when an owner of the change's objects is `refuse` now (whatever a click
 * carries, and however medic.yaml or the object's labels changed since the proposal).
 */
export function checkGitOpsRail(settings: Settings, edits: ManifestEdit[] | undefined): void {
  const verdict = gitOpsVerdict(settings.managedBy, edits);
  if (verdict?.note.policy === 'refuse') throw gitOpsRefusal(verdict);
}
