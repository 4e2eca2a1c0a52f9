/**
 * `/scale <name> <replicas> [-n namespace]`: parse, check medic.yaml bounds (min, max, max change factor),
 * resolve the name to one workload (Deployment, StatefulSet, or the workload a Service selects), dry-run,
 * then post a proposal another approver confirms. Every refusal is a clear sentence and creates nothing.
 */

import type { Settings } from '../config/settings.js';
import type { ScaleResolution } from '../diagnosis/scale-target.js';
import { createProposals, type ProposalDeps } from '../incidents/proposals.js';
import { scaleBoundBreach } from '../remediation/rails.js';
import type { ProposalRecord } from '../store/proposals.js';

export const SCALE_USAGE =
  'Usage: `/scale <deployment|statefulset|service> <replicas> [-n namespace]`, e.g. `/scale proxy 10 -n ads`.';

export interface ScaleRequest {
  name: string;
  replicas: number;
  namespace: string;
}

/** What the cluster says about the name: the one workload it means, or a question/answer for the user. */
export type ScaleTargetResolution =
  | {
      ok: true;
      workload: string;
      replicas: number;
      hpa?: { name: string; minReplicas: number; maxReplicas: number } | undefined;
    }
  | { ok: false; message: string };

export type ResolveScaleTarget = (
  namespace: string,
  name: string,
  signal?: AbortSignal,
) => Promise<ScaleTargetResolution>;

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Parses the command text; a string is the error to show. */
export function parseScaleText(text: string, defaultNamespace = 'default'): ScaleRequest | string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let namespace = defaultNamespace;
  const positional: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    if (word === '-n' || word === '--namespace') {
      const value = words[i + 1];
      if (!value || !NAME.test(value)) return `\`${word}\` needs a namespace name. ${SCALE_USAGE}`;
      namespace = value;
      i += 1;
    } else {
      positional.push(word);
    }
  }
  if (positional.length !== 2) return SCALE_USAGE;
  const [name = '', count = ''] = positional;
  if (!NAME.test(name) || name.length > 253) return `\`${name}\` is not a Kubernetes object name. ${SCALE_USAGE}`;
  if (!/^[0-9]+$/.test(count)) return `\`${count}\` is not a whole number of replicas. ${SCALE_USAGE}`;
  return { name, replicas: Number(count), namespace };
}

/** The bound a request breaks, as a sentence (the rule is the guard rail's); undefined when within bounds. */
export function checkScaleBounds(
  replicas: number,
  current: number | undefined,
  bounds: Settings['scale'],
): string | undefined {
  const breach = scaleBoundBreach(bounds, replicas, current);
  return breach ? `${breach.reason} (medic.yaml ${breach.rail}).` : undefined;
}

export interface ScaleCommandDeps extends ProposalDeps {
  settings: Pick<Settings, 'scale'>;
  resolveScaleTarget: ResolveScaleTarget;
  /** Posts the proposal in the channel (src/slack). */
  postProposal(channel: string, proposal: ProposalRecord): Promise<unknown>;
}

/** Runs `/scale`; returns the ephemeral answer for the person who typed it. */
export async function runScaleCommand(
  input: { userId: string; channelId: string; text: string },
  deps: ScaleCommandDeps,
  signal?: AbortSignal,
): Promise<{ text: string; proposal?: ProposalRecord }> {
  const request = parseScaleText(input.text);
  if (typeof request === 'string') return { text: request };
  const early = checkScaleBounds(request.replicas, undefined, deps.settings.scale);
  if (early) return { text: `${early} Nothing was proposed.` };
  const target = await deps.resolveScaleTarget(request.namespace, request.name, signal);
  if (!target.ok) return { text: target.message };
  const bound = checkScaleBounds(request.replicas, target.replicas, deps.settings.scale);
  if (bound) return { text: `${bound} Nothing was proposed.` };
  if (target.replicas === request.replicas) {
    return {
      text: `${target.workload} in ${request.namespace} already has ${request.replicas} replicas; nothing to do.`,
    };
  }
  const hpaNote =
    target.hpa && request.replicas > target.hpa.minReplicas ? ` (HPA ${target.hpa.name} minReplicas raised too)` : '';
  const created = await createProposals(
    [
      {
        kind: 'scale',
        title: `Scale ${target.workload} from ${target.replicas} to ${request.replicas}${hpaNote}`,
        params: { namespace: request.namespace, workload: target.workload, replicas: request.replicas },
        risk: 'medium',
      },
    ],
    { type: 'user', userId: input.userId, command: `/scale ${input.text.trim()}` },
    {},
    deps,
    signal,
  );
  const [proposal] = created.proposals;
  if (!proposal) {
    const refused = created.unavailable[0];
    const reason = refused?.reason ?? 'the dry run failed';
    // A workload a GitOps tool syncs (medic.yaml managedBy: refuse): the change to commit instead.
    const gitops = refused?.gitops;
    const commit = gitops ? `\n${gitops.advice}\nChange to commit:\n\`\`\`${gitops.manifest}\`\`\`` : '';
    return { text: `Cannot propose this scale: ${reason}. Nothing was proposed.${commit}` };
  }
  await deps.postProposal(input.channelId, proposal);
  return { text: `Proposed: ${proposal.title}. Another approver must confirm it in the channel.`, proposal };
}

/** Adapts the playbooks' resolveScaleTarget (src/diagnosis/scale-target.ts) to `/scale`'s answers. */
export function scaleTargetResolver(
  resolve: (namespace: string, name: string) => Promise<ScaleResolution>,
): ResolveScaleTarget {
  return async (namespace, name) => {
    const found = await resolve(namespace, name);
    if (!found)
      return {
        ok: false,
        message: `No Deployment, StatefulSet or Service named \`${name}\` in namespace ${namespace}.`,
      };
    if ('ambiguous' in found) {
      const options = found.ambiguous.map((w) => `\`${w}\``).join(', ');
      return {
        ok: false,
        message: `\`${name}\` matches ${options} in ${namespace}. Which one? Run /scale with the workload's own name. Nothing was proposed.`,
      };
    }
    return { ok: true, workload: `${found.kind}/${found.name}`, replicas: found.replicas, hpa: found.hpa };
  };
}
