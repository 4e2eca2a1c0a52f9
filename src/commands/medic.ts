/**
 * `/medic help`, `/medic audit [n]` and `/medic diagnose <name> [-n ns]`. Diagnosis reads the cluster, so the
 * command only looks the object up, queues an ordinary diagnosis job (src/pipeline/diagnose-request.ts) and
 * answers at once; the result is posted in the channel as a thread.
 */
import { randomBytes } from 'node:crypto';
import { NO_CLUSTER_NAMES } from '../clusters/registry.js';
import { DIAGNOSE_KINDS, type DiagnoseKind, type DiagnoseRequest } from '../pipeline/diagnose-request.js';
import type { AuditLog } from '../store/audit.js';
import { type ChooseCluster, takeClusterFlag } from './cluster-flag.js';
import { SCALE_USAGE } from './scale.js';

const KIND_WORDS_LIST = DIAGNOSE_KINDS.map((k) => k.toLowerCase());
const KIND_LIST = KIND_WORDS_LIST.join('|');
/** "pod, deployment or statefulset" */
const KIND_CHOICE = `${KIND_WORDS_LIST.slice(0, -1).join(', ')} or ${KIND_WORDS_LIST.at(-1)}`;

export const MEDIC_HELP = [
  '*Medic* diagnoses Kubernetes alerts and proposes fixes that an approver runs with one click.',
  `• \`/medic diagnose <${KIND_LIST}> [-n namespace] [--cluster name]\`: diagnose an object now (also \`pod/<name>\`, \`deployment/<name>\`).`,
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
const DIAGNOSE_USAGE = `Usage: \`/medic diagnose <${KIND_LIST}> [-n namespace] [--cluster name]\`, e.g. \`/medic diagnose api -n ads\`.`;

/** Parses `diagnose …` arguments; a string is the error to show. */
export function parseDiagnoseArgs(
  all: string[],
): { kind?: DiagnoseKind; name: string; namespace: string; cluster?: string } | string {
  const flagged = takeClusterFlag(all, DIAGNOSE_USAGE);
  if (typeof flagged === 'string') return flagged;
  const { words } = flagged;
  const cluster = flagged.cluster ? { cluster: flagged.cluster } : {};
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
      if (!kind) return `\`${head}\` is not ${KIND_CHOICE}. ${DIAGNOSE_USAGE}`;
      name = tail;
    } else name = head;
  } else return DIAGNOSE_USAGE;
  if (!name || !NAME.test(name)) return `\`${name ?? ''}\` is not a Kubernetes object name. ${DIAGNOSE_USAGE}`;
  return { ...(kind ? { kind } : {}), name, namespace, ...cluster };
}

/** The cluster a `/medic diagnose` reads: its name and label (absent with one unnamed cluster) and its lookup. */
export interface DiagnoseCluster {
  cluster?: { label: string; name: string };
  findTarget?: MedicCommandDeps['findTarget'];
}

export interface MedicCommandDeps {
  audit: AuditLog;
  /**
   * The kind of the object to diagnose (the given kind, else the first of DIAGNOSE_KINDS that exists), or null
   * when nothing by that name exists: a typo gets an answer at once and nothing is queued. Absent when no
   * cluster is configured.
   */
  findTarget?(namespace: string, name: string, kind?: DiagnoseKind): Promise<DiagnoseKind | null>;
  /** With configured clusters: the one `--cluster` or the channel names (src/clusters); else `findTarget`. */
  chooseCluster?: ChooseCluster<DiagnoseCluster>;
  /** Queues the diagnosis job on the `alerts` queue. */
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

function chooseDiagnoseCluster(flag: string | undefined, channelId: string, deps: MedicCommandDeps) {
  if (deps.chooseCluster) return deps.chooseCluster(flag, channelId);
  if (flag !== undefined) return { ok: false as const, message: NO_CLUSTER_NAMES };
  return { ok: true as const, cluster: deps.findTarget ? { findTarget: deps.findTarget } : {} };
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
      const { cluster: flag, ...object } = parsed;
      const chosen = chooseDiagnoseCluster(flag, input.channelId, deps);
      if (!chosen.ok) return { text: chosen.message };
      const { findTarget, cluster } = chosen.cluster;
      if (!findTarget) return { text: 'No Kubernetes cluster is configured, so Medic cannot diagnose objects.' };
      const kind = await findTarget(parsed.namespace, parsed.name, parsed.kind);
      const inCluster = cluster ? ` in cluster ${cluster.name}` : '';
      if (kind === null) {
        const what = parsed.kind ? parsed.kind.toLowerCase() : KIND_CHOICE;
        return {
          text: `No ${what} named \`${parsed.name}\` in namespace ${parsed.namespace}${inCluster}; nothing was diagnosed.`,
        };
      }
      const request: DiagnoseRequest = {
        ...object,
        ...(cluster ? { cluster } : {}),
        kind,
        requestId: `d${randomBytes(8).toString('hex')}`,
        channelId: input.channelId,
        userId: input.userId,
        requestedAt: deps.now(),
      };
      await deps.enqueueDiagnose(request);
      const what = `${kind} ${parsed.namespace}/${parsed.name}${inCluster}`;
      return { text: `Diagnosing ${what}… the result will be posted in this channel.` };
    }
    default:
      return { text: `Unknown subcommand \`${sub}\`.\n${MEDIC_HELP}` };
  }
}
