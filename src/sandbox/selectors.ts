/** The `labelSelector` and `fieldSelector` query parameters, parsed and matched as the API server does. */
import type { KubeObject } from './object.js';
import { badRequest } from './status.js';

export type Matcher = (object: KubeObject) => boolean;

type Op = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const TOKEN = /\s*(==|!=|=|!|\(|\)|,|>|<|[^\s=!(),<>]+)/y;

function tokenize(selector: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < selector.length) {
    const match = TOKEN.exec(selector);
    if (!match) break;
    if (match[1] !== undefined) tokens.push(match[1]);
  }
  return tokens;
}

function parseError(selector: string, why: string) {
  return badRequest(`unable to parse requirement: ${why} in label selector "${selector}"`);
}

/** Parses a label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated. */
export function parseLabelSelector(selector: string): Requirement[] {
  const tokens = tokenize(selector);
  const requirements: Requirement[] = [];
  let i = 0;
  const next = () => tokens[i++];
  const key = (token: string | undefined): string => {
    if (token === undefined || !KEY.test(token)) throw parseError(selector, `invalid label key "${token ?? ''}"`);
    return token;
  };
  const value = (token: string | undefined): string => {
    const v = token === undefined || token === ',' || token === ')' ? '' : token;
    if (!VALUE.test(v) || v.length > 63) throw parseError(selector, `invalid label value "${v}"`);
    return v;
  };
  while (i < tokens.length) {
    const first = next();
    if (first === '!') {
      requirements.push({ key: key(next()), op: '!', values: [] });
    } else {
      const k = key(first);
      const op = tokens[i];
      if (op === undefined || op === ',') requirements.push({ key: k, op: 'exists', values: [] });
      else if (op === '=' || op === '==' || op === '!=') {
        i++;
        const v = tokens[i] === ',' || tokens[i] === undefined ? '' : (next() ?? '');
        requirements.push({ key: k, op: op === '!=' ? '!=' : '=', values: [value(v)] });
      } else if (op === 'in' || op === 'notin') {
        i++;
        if (next() !== '(') throw parseError(selector, `found '${tokens[i - 1] ?? ''}', expected: '('`);
        const values: string[] = [];
        while (tokens[i] !== ')') {
          if (i >= tokens.length) throw parseError(selector, "found '', expected: ')'");
          const t = next();
          if (t !== ',') values.push(value(t));
        }
        i++;
        requirements.push({ key: k, op, values });
      } else if (op === '>' || op === '<') {
        i++;
        const v = next() ?? '';
        if (!/^-?\d+$/.test(v)) throw parseError(selector, `for 'Gt', 'Lt' operators, the value must be an integer`);
        requirements.push({ key: k, op, values: [v] });
      } else throw parseError(selector, `found '${op}', expected: '=', '!=', '==', 'in', notin'`);
    }
    const sep = next();
    if (sep !== undefined && sep !== ',')
      throw parseError(selector, `found '${sep}', expected: ',' or 'end of string'`);
  }
  return requirements;
}

function matchesRequirement(labels: Record<string, string>, r: Requirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  const actual = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
      return has && actual === r.values[0];
    case '!=':
      return !has || actual !== r.values[0];
    case 'in':
      return has && r.values.includes(actual ?? '');
    case 'notin':
      return !has || !r.values.includes(actual ?? '');
    case '>':
    case '<': {
      if (!has || !/^-?\d+$/.test(actual ?? '')) return false;
      const n = Number(actual);
      return r.op === '>' ? n > Number(r.values[0]) : n < Number(r.values[0]);
    }
  }
}

export function labelMatcher(selector: string | undefined): Matcher | null {
  if (!selector?.trim()) return null;
  const requirements = parseLabelSelector(selector);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((r) => matchesRequirement(labels, r));
  };
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Secret: ['type'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
};
const DEFAULTS: Record<string, string> = { 'spec.hostNetwork': 'false', 'spec.unschedulable': 'false' };
const ALIASES: Record<string, string> = { source: 'source.component' };

function fieldValue(object: KubeObject, field: string): string {
  let value: unknown = object;
  for (const part of (ALIASES[field] ?? field).split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (value === undefined || value === null) return DEFAULTS[field] ?? '';
  return String(value);
}

/** Parses `a=b,c!=d` (`==` too) for a kind; unknown fields are a 400 like the API server's. */
export function fieldMatcher(selector: string | undefined, kind: string): Matcher | null {
  if (!selector?.trim()) return null;
  const allowed = [...COMMON_FIELDS, ...(FIELDS[kind] ?? [])];
  const terms = selector.split(/(?<!\\),/).map((term) => {
    const match = /^\s*([^=!\s]+)\s*(==|!=|=)(.*)$/.exec(term);
    if (!match?.[1] || !match[2]) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    if (!allowed.includes(match[1])) throw badRequest(`field label not supported: ${match[1]}`);
    return { field: match[1], negate: match[2] === '!=', value: (match[3] ?? '').replace(/\\(.)/g, '$1') };
  });
  return (object) => terms.every((t) => (fieldValue(object, t.field) === t.value) !== t.negate);
}
