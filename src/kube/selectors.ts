/** Label selectors as the API server's `labelSelector` query parameter (written and evaluated), and zone labels of nodes and volumes. */
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { Node as V1Node, PersistentVolume as V1PersistentVolume } from './reader-api.js';

/** `{app: x}` or a full LabelSelector → `app=x,tier in (a,b),!canary`; null when it selects nothing. */
export function labelSelectorString(selector: V1LabelSelector | Record<string, string> | undefined): string | null {
  if (!selector) return null;
  const isFull = 'matchLabels' in selector || 'matchExpressions' in selector;
  const full = (isFull ? selector : { matchLabels: selector }) as V1LabelSelector;
  const parts = Object.entries(full.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of full.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length > 0 ? parts.join(',') : null;
}

const KEY = '[A-Za-z0-9][A-Za-z0-9._/-]*';
const VALUE = '[A-Za-z0-9._-]*';
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(([^()]*)\)$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

type Requirement = (labels: Record<string, string>) => boolean;

function requirement(text: string): Requirement | undefined {
  const equality = EQUALITY.exec(text);
  if (equality) {
    const [, key = '', op, value] = equality;
    return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const set = SET.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    const isIn = (labels: Record<string, string>) => key in labels && values.has(labels[key] ?? '');
    return op === 'in' ? isIn : (labels) => !isIn(labels);
  }
  const exists = EXISTS.exec(text);
  if (!exists) return undefined;
  const [, not, key = ''] = exists;
  return not ? (labels) => !(key in labels) : (labels) => key in labels;
}

/**
 * What a `labelSelector` query parameter selects, as the API server evaluates it (`=`, `==`, `!=`, `in`, `notin`,
 * `key`, `!key`), for answering a selected list from a full one; undefined for any other form (`gt`, `lt`, a typo),
 * which the caller then asks the API server about.
 */
export function labelSelectorMatcher(selector: string): Requirement | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i += 1) {
    const c = selector[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  const requirements: Requirement[] = [];
  for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
    const matches = requirement(part);
    if (!matches) return undefined;
    requirements.push(matches);
  }
  return (labels) => requirements.every((matches) => matches(labels));
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';

/**
 * A bare number in a zone label is an Azure fault domain, not an availability zone: nodes of non-zonal AKS
 * clusters carry "0", "1", "2" there, zonal ones "<region>-<n>" (westeurope-2). Fault domains are update and
 * power groups inside one datacenter; pods failing in one of them are no zonal outage.
 */
export function isFaultDomain(value: string): boolean {
  return /^\d+$/.test(value);
}

function zoneLabel(node: V1Node): string | undefined {
  const labels = node.metadata?.labels ?? {};
  return labels[ZONE_LABEL] || labels[LEGACY_ZONE_LABEL] || undefined;
}

/** A node's availability zone from the current label, else the deprecated one; none for an Azure fault domain. */
export function nodeZone(node: V1Node): string | undefined {
  const value = zoneLabel(node);
  return value && !isFaultDomain(value) ? value : undefined;
}

/** Where a node is, for evidence: "zone eu-west-1a", "fault domain 1" or "no zone label". */
export function nodeLocation(node: V1Node | undefined): string {
  const value = node ? zoneLabel(node) : undefined;
  if (!value) return node ? 'no zone label' : 'unknown node';
  return isFaultDomain(value) ? `fault domain ${value}` : `zone ${value}`;
}

/** The nodes a PersistentVolume is pinned to by hostname (a local or hostPath volume: local-path, OpenEBS local). */
export function volumeNodes(pv: V1PersistentVolume): string[] {
  return (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []).flatMap((t) =>
    (t.matchExpressions ?? []).flatMap((e) =>
      e.operator === 'In' && e.key === 'kubernetes.io/hostname' ? (e.values ?? []) : [],
    ),
  );
}

/** A PersistentVolume's zone(s): node affinity on any zone-like key, else its zone labels. */
export function volumeZones(pv: V1PersistentVolume): string[] {
  const zones = new Set<string>();
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.operator === 'In' && /(^|[./])zone$/.test(e.key)) for (const v of e.values ?? []) zones.add(v);
    }
  }
  const labels = pv.metadata?.labels ?? {};
  const labelZone = labels[ZONE_LABEL] ?? labels[LEGACY_ZONE_LABEL];
  if (zones.size === 0 && labelZone) for (const z of labelZone.split('__')) zones.add(z);
  return [...zones];
}
