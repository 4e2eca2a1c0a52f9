/**
 * A diagnosis reply: root cause first in one sentence, key evidence as a short list, each proposal with
 * its diff and button, the alerts it covers, and a context line with the target and links.
 */
import type { Diagnosis, Proposal, UnavailableAction } from '../../types.js';
import { clip, escapeMrkdwn, fitBlocks, joinWithMore, type KnownBlock, SLACK_LIMITS } from './limits.js';
import { renderActionsBlocks, renderGitOpsNote, renderProposalBlocks } from './proposal.js';

export interface AffectedAlert {
  fingerprint: string;
  /** What a person recognises: pod name, else alertname. */
  label: string;
  status: 'firing' | 'resolved';
}

export interface DiagnosisView {
  diagnosis: Diagnosis;
  proposals: Proposal[];
  unavailable: UnavailableAction[];
  affected: AffectedAlert[];
  links: { generatorURL?: string | undefined; silenceURL?: string | undefined };
  now: number;
}

/** Slack message metadata on every diagnosis reply (SPEC.md), exactly this shape. */
export interface DiagnosisMetadata {
  event_type: 'medic_diagnosis';
  event_payload: {
    root_cause: string;
    playbook: string;
    /** The alert the reply was posted for. */
    fingerprint: string;
    /** Every alert of the group this reply covers (same root cause and workload), that one first. */
    fingerprints: string[];
    proposals: { id: string; kind: string }[];
  };
}

const MAX_EVIDENCE = 6;
/** One evidence line stays readable; six of them fit a section. */
const MAX_EVIDENCE_CHARS = 400;
const MAX_PROPOSAL_SECTIONS = 10;

/** What the diagnosis is about; with several clusters, in which one (a group may hold alerts of several). */
function targetText(d: Diagnosis): string {
  const where = d.cluster ? `${d.cluster} · ` : '';
  if (!d.target) return `${where}${d.alert.alertname}`;
  const ns = d.target.namespace ? `${d.target.namespace}/` : '';
  const workload = d.target.workload ? ` (${d.target.workload.kind}/${d.target.workload.name})` : '';
  return `${where}${d.target.kind} ${ns}${d.target.name}${workload}`;
}

function headline(view: DiagnosisView): string {
  const d = view.diagnosis;
  const allResolved = view.affected.length > 0 && view.affected.every((a) => a.status === 'resolved');
  const icon = allResolved ? ':white_check_mark: *Resolved*' : ':rotating_light:';
  const partial = d.partial ? ' _(partial: some cluster queries failed)_' : '';
  return `${icon} *${d.rootCause.code}*: ${escapeMrkdwn(d.rootCause.summary)}${partial}`;
}

function linksText(view: DiagnosisView): string {
  const d = view.diagnosis;
  const parts = [
    `*${escapeMrkdwn(clip(targetText(d), 300))}*`,
    `playbook \`${d.playbook}\``,
    `confidence ${d.rootCause.confidence}`,
  ];
  if (view.links.generatorURL) parts.push(`<${clip(view.links.generatorURL, 1000)}|alert source>`);
  if (view.links.silenceURL) parts.push(`<${clip(view.links.silenceURL, 1200)}|silence>`);
  return clip(parts.join(' · '), SLACK_LIMITS.sectionText);
}

function affectedText(view: DiagnosisView): string {
  const firing = view.affected.filter((a) => a.status === 'firing').length;
  const lines = view.affected.map(
    (a) => `${a.status === 'resolved' ? ':white_check_mark:' : ':red_circle:'} ${escapeMrkdwn(a.label)}`,
  );
  const head = `Affected: ${view.affected.length} alert(s), ${firing} firing`;
  return clip(`${head}\n${joinWithMore(lines, 15, SLACK_LIMITS.sectionText - head.length - 2)}`, 3000);
}

/** The block_id of a reply's affected-alerts section (withoutAffectedList). */
const AFFECTED_BLOCK_ID = 'medic-affected';

/**
 * A rendered reply without what changes as alerts join it or resolve — its affected-alerts section and the
 * metadata's `fingerprints` — so that a change of that list alone can be told from a change of what the reply
 * says (src/slack/thread-sync.ts lets the first wait while a storm goes on).
 */
export function withoutAffectedList(message: ReturnType<typeof renderDiagnosis>): unknown {
  return {
    text: message.text,
    blocks: message.blocks.filter((b) => (b as { block_id?: string }).block_id !== AFFECTED_BLOCK_ID),
    metadata: { ...message.metadata, event_payload: { ...message.metadata.event_payload, fingerprints: [] } },
  };
}

export function renderDiagnosisMetadata(view: DiagnosisView): DiagnosisMetadata {
  const first = view.diagnosis.alert.fingerprint;
  const others = view.affected.map((a) => a.fingerprint).filter((fp) => fp !== first);
  return {
    event_type: 'medic_diagnosis',
    event_payload: {
      root_cause: view.diagnosis.rootCause.code,
      playbook: view.diagnosis.playbook,
      fingerprint: first,
      fingerprints: [first, ...others],
      proposals: view.proposals.map((p) => ({ id: p.id, kind: p.kind })),
    },
  };
}

/** The reply's text, blocks and metadata; always within Slack's limits. */
export function renderDiagnosis(view: DiagnosisView): {
  text: string;
  blocks: KnownBlock[];
  metadata: DiagnosisMetadata;
} {
  const d = view.diagnosis;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(headline(view), SLACK_LIMITS.sectionText) } },
  ];
  if (d.evidence.length > 0) {
    const lines = d.evidence.map((e) => `• ${escapeMrkdwn(clip(e.text, MAX_EVIDENCE_CHARS))}`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: joinWithMore(lines, MAX_EVIDENCE, SLACK_LIMITS.sectionText) },
    });
  }
  for (const proposal of view.proposals.slice(0, MAX_PROPOSAL_SECTIONS)) {
    blocks.push(...renderProposalBlocks(proposal, view.now));
  }
  if (view.proposals.length > MAX_PROPOSAL_SECTIONS) {
    const hidden = view.proposals.length - MAX_PROPOSAL_SECTIONS;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${hidden} more proposals` }] });
  }
  // A fix refused because a GitOps tool owns the object: the change to commit takes the button's place.
  for (const u of view.unavailable.slice(0, MAX_PROPOSAL_SECTIONS)) {
    if (!u.gitops) continue;
    const owners = escapeMrkdwn(clip(u.gitops.owners.join(' and '), 200));
    const title = escapeMrkdwn(clip(u.title, 200));
    blocks.push(renderGitOpsNote(u.gitops, `:no_entry: *No button for ${title}*: ${owners} syncs it.`));
  }
  const plain = view.unavailable.filter((u) => !u.gitops);
  if (plain.length > 0) {
    const lines = plain.map(
      (u) => `• No button for *${escapeMrkdwn(u.title)}* (\`${u.kind}\`): ${escapeMrkdwn(u.reason)}`,
    );
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: joinWithMore(lines, 5, SLACK_LIMITS.sectionText) } });
  }
  const tail: KnownBlock[] = [...renderActionsBlocks(view.proposals, view.now)];
  if (view.affected.length > 1) {
    tail.push({ type: 'section', block_id: AFFECTED_BLOCK_ID, text: { type: 'mrkdwn', text: affectedText(view) } });
  }
  tail.push({ type: 'context', elements: [{ type: 'mrkdwn', text: linksText(view) }] });
  return {
    text: clip(`${d.rootCause.code}: ${d.rootCause.summary}`, SLACK_LIMITS.fallbackText),
    blocks: fitBlocks([...blocks, ...tail], tail.length),
    metadata: renderDiagnosisMetadata(view),
  };
}
