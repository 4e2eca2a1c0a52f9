/**
 * `/medic help`, `/medic audit [n]` and `/medic diagnose <name> [-n ns]`. Diagnosis reads the cluster, so the
 * command only queues it and answers at once; the result is posted in the channel as a thread.
 */
import { randomBytes } from 'node:crypto';
import type { AlertEvent } from '../alertmanager/payload.js';
import type { AuditLog } from '../store/audit.js';
import type { Diagnosis } from '../types.js';
import { SCALE_USAGE } from './scale.js';

export type DiagnoseKind = 'Pod' | 'Deployment' | 'StatefulSet';

/** The queued `/medic diagnose` request. */
export interface DiagnoseRequest {
  requestId: string;
  kind?: DiagnoseKind;
  name: string;
  namespace: string;
  channelId: string;
  userId: string;
  requestedAt: number;
}

export const MEDIC_HELP = [
  '*Medic* diagnoses Kubernetes alerts and proposes fixes that an approver runs with one click.',
  '• `/medic diagnose <pod|deployment|statefulset> [-n namespace]`: diagnose an object now (also `pod/<name>`, `deployment/<name>`).',
  '• `/medic audit [n]`: the last n approval decisions and outcomes (default 10, at most 50).',
  `• ${SCALE_USAGE} Another approver confirms it.`,
  '• `/medic help`: this message.',
].join('\n');

const KIND_WORDS: Record<string, DiagnoseKind> = {
  pod: 'Pod',
  po: 'Pod',
  deployment: 'Deployment',
  deploy: 'Deployment',
  statefulset: 'StatefulSet',
  sts: 'StatefulSet',
};
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DIAGNOSE_USAGE = 'Usage: `/medic diagnose <pod|deployment> [-n namespace]`, e.g. `/medic diagnose api -n ads`.';

/** Parses `diagnose …` arguments; a string is the error to show. */
export function parseDiagnoseArgs(
  words: string[],
): Omit<DiagnoseRequest, 'requestId' | 'channelId' | 'userId' | 'requestedAt'> | string {
  let namespace = 'default';
  const positional: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    if (word === '-n' || word === '--namespace') {
      const value = words[i + 1];
      if (!value || !NAME.test(value)) return `\`${word}\` needs a namespace name. ${DIAGNOSE_USAGE}`;
      namespace = value;
      i += 1;
    } else positional.push(word);
  }
  let kind: DiagnoseKind | undefined;
  let name: string | undefined;
  if (positional.length === 2 && KIND_WORDS[positional[0]?.toLowerCase() ?? '']) {
    kind = KIND_WORDS[positional[0]?.toLowerCase() ?? ''];
    name = positional[1];
  } else if (positional.length === 1) {
    const [head, tail] = (positional[0] ?? '').split('/', 2);
    if (tail !== undefined) {
      kind = KIND_WORDS[head?.toLowerCase() ?? ''];
      if (!kind) return `\`${head}\` is not pod, deployment or statefulset. ${DIAGNOSE_USAGE}`;
      name = tail;
    } else name = head;
  } else return DIAGNOSE_USAGE;
  if (!name || !NAME.test(name)) return `\`${name ?? ''}\` is not a Kubernetes object name. ${DIAGNOSE_USAGE}`;
  return { ...(kind ? { kind } : {}), name, namespace };
}

export interface MedicCommandDeps {
  audit: AuditLog;
  /**
   * The kind of the object to diagnose (the given kind, else Pod, Deployment, StatefulSet in that order), or
   * null when nothing by that name exists: a typo gets an answer at once and nothing is queued.
   */
  findTarget?(namespace: string, name: string, kind?: DiagnoseKind): Promise<DiagnoseKind | null>;
  enqueueDiagnose(request: DiagnoseRequest): Promise<void>;
  now: () => number;
}

function formatAudit(entries: Awaited<ReturnType<AuditLog['recent']>>): string {
  if (entries.length === 0) return 'No decisions recorded yet.';
  const lines = entries.map((e) => {
    const when = `<!date^${Math.floor(e.at / 1000)}^{date_short_pretty} {time}|${new Date(e.at).toISOString()}>`;
    const who = e.actor === 'medic' ? 'Medic' : `<@${e.actor}>`;
    return `• ${when} ${who} *${e.action}* \`${e.kind || '?'}\` ${e.target} → ${e.outcome}`;
  });
  return `*Last ${entries.length} decision(s)*\n${lines.join('\n')}`;
}

/** Runs `/medic …`; returns the answer for the person who typed it. */
export async function runMedicCommand(
  input: { userId: string; channelId: string; text: string },
  deps: MedicCommandDeps,
): Promise<{ text: string }> {
  const [sub = 'help', ...rest] = input.text.trim().split(/\s+/).filter(Boolean);
  switch (sub.toLowerCase()) {
    case 'help':
      return { text: MEDIC_HELP };
    case 'audit': {
      const n = rest[0] === undefined ? 10 : Number(rest[0]);
      if (!Number.isInteger(n) || n < 1 || n > 50)
        return { text: '`/medic audit [n]`: n must be a whole number from 1 to 50.' };
      return { text: formatAudit(await deps.audit.recent(n)) };
    }
    case 'diagnose': {
      const parsed = parseDiagnoseArgs(rest);
      if (typeof parsed === 'string') return { text: parsed };
      const kind = deps.findTarget ? await deps.findTarget(parsed.namespace, parsed.name, parsed.kind) : parsed.kind;
      if (kind === null) {
        const what = parsed.kind ? parsed.kind.toLowerCase() : 'pod, deployment or statefulset';
        return { text: `No ${what} named \`${parsed.name}\` in namespace ${parsed.namespace}; nothing was diagnosed.` };
      }
      const request: DiagnoseRequest = {
        ...parsed,
        ...(kind ? { kind } : {}),
        requestId: `d${randomBytes(8).toString('hex')}`,
        channelId: input.channelId,
        userId: input.userId,
        requestedAt: deps.now(),
      };
      await deps.enqueueDiagnose(request);
      const what = `${parsed.kind ?? 'object'} ${parsed.namespace}/${parsed.name}`;
      return { text: `Diagnosing ${what}… the result will be posted in this channel.` };
    }
    default:
      return { text: `Unknown subcommand \`${sub}\`.\n${MEDIC_HELP}` };
  }
}

/** The alert a `/medic diagnose` result is posted as: its own group, so it gets its own thread. */
export function manualAlertEvent(request: DiagnoseRequest, diagnosis: Diagnosis): AlertEvent {
  const label = request.kind === 'Pod' ? 'pod' : (request.kind ?? 'Deployment').toLowerCase();
  return {
    alert: {
      status: 'firing',
      labels: { alertname: 'MedicDiagnose', namespace: request.namespace, [label]: request.name },
      annotations: {},
      startsAt: new Date(request.requestedAt).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: diagnosis.alert.fingerprint,
    },
    groupKey: `medic-diagnose:${request.requestId}`,
    receiver: 'slash-command',
    externalURL: '',
    groupLabels: { alertname: `Diagnosis requested by @${request.userId}` },
    commonLabels: { namespace: request.namespace },
    receivedAt: request.requestedAt,
  };
}
