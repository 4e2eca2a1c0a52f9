/**
 * One proposal as Slack shows it: title, diff, state (who approved, outcome) and its approve button; on an object
 * a GitOps tool syncs, who syncs it and the change to commit (a warning on the button too).
 */
import type { types } from '@slack/bolt';
import type { GitOpsNote, Proposal, Verification, VerificationOutcome } from '../../types.js';
import { describeProposalTarget, RISKY_ACTION_KINDS } from '../../vocabulary.js';
import { clip, escapeMrkdwn, joinWithMore, type KnownBlock, SLACK_LIMITS } from './limits.js';

/** action_id prefix of approve buttons; the rest names the kind and the button's position. */
export const APPROVE_ACTION_PREFIX = 'medic.approve.';
export const APPROVE_ACTION_PATTERN = /^medic\.approve\./;

/** "Approved by @x · running", "Done: …", "Failed: <API reason>", or how long the button stays valid. */
export function describeState(proposal: Proposal, now: number): string {
  const by = proposal.approvedBy ? ` by <@${proposal.approvedBy}>` : '';
  switch (proposal.state) {
    case 'proposed':
      return now >= proposal.expiresAt
        ? ':hourglass: Expired: no longer offered.'
        : `Awaiting approval · expires <!date^${Math.floor(proposal.expiresAt / 1000)}^{time}|in ${Math.round((proposal.expiresAt - now) / 60_000)} min>`;
    case 'approved':
      return `:white_check_mark: Approved${by} · queued`;
    case 'running':
      return `:gear: Approved${by} · running…`;
    case 'done':
      return `:white_check_mark: Done (approved${by}): ${escapeMrkdwn(proposal.outcome?.message ?? 'applied')}`;
    case 'failed':
      return `:x: Failed (approved${by}): ${escapeMrkdwn(proposal.outcome?.message ?? 'unknown error')}`;
    case 'refused':
      return ':no_entry: Refused.';
    case 'expired':
      return ':hourglass: Expired: no longer offered.';
  }
}

const HEADLINE: Record<VerificationOutcome, string> = {
  fixed: ':white_check_mark: *Fixed*',
  'not fixed': ':x: *Not fixed*',
  changed: ':twisted_rightwards_arrows: *Changed*',
  'not checked': ':grey_question: *Not checked*',
};

/** The line under a checked proposal: "Checked 2 min after the change: not fixed — …". */
export function describeVerification(v: Verification): string {
  const seconds = Math.max(0, Math.round((v.checkedAt - v.changedAt) / 1000));
  const when = seconds < 90 ? `${seconds} s after the change` : `${Math.round(seconds / 60)} min after the change`;
  return `${HEADLINE[v.outcome]} (checked ${when}): ${escapeMrkdwn(v.summary)}`;
}

export function renderDiff(proposal: Pick<Proposal, 'diff'>, maxChars = 1500): string {
  if (proposal.diff.length === 0) return '';
  const lines = proposal.diff.map((d) => `${d.field}: ${d.before} → ${d.after}`);
  return `\`\`\`${joinWithMore(lines, 12, maxChars - 6)}\`\`\``;
}

/** The section describing a proposal (title, diff, state). */
export function renderProposalSection(proposal: Proposal, now: number): KnownBlock {
  const title = `*${escapeMrkdwn(clip(proposal.title, 200))}* (\`${proposal.kind}\` on ${escapeMrkdwn(describeProposalTarget(proposal))})`;
  const diff = renderDiff(proposal);
  const verified = proposal.verification ? describeVerification(proposal.verification) : '';
  const text = [title, diff, describeState(proposal, now), verified].filter((s) => s !== '').join('\n');
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) } };
}

/** Room for the manifest in a section beside the sentences around it (lead ≤ 500, advice ≤ 400). */
const MAX_MANIFEST_CHARS = 2000;

/** Whole lines up to `max` characters, then a YAML comment counting the rest: what is shown still pastes. */
function clipLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > max - 40) break;
    kept.push(line);
    used += line.length + 1;
  }
  return [...kept, `# …and ${lines.length - kept.length} more lines`].join('\n');
}

/**
 * Who syncs the object and the change to commit, as one section: `lead` (at most 500 characters) says what
 * Medic did with the proposal (a warning above its button, or why there is none).
 */
export function renderGitOpsNote(note: GitOpsNote, lead: string): KnownBlock {
  const manifest = clipLines(escapeMrkdwn(note.manifest), MAX_MANIFEST_CHARS);
  const text = `${clip(lead, 500)} ${escapeMrkdwn(clip(note.advice, 400))}\nChange to commit:\n\`\`\`${manifest}\`\`\``;
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) } };
}

/** The proposal's section, then (on a GitOps-owned object) the warning with the change to commit. */
export function renderProposalBlocks(proposal: Proposal, now: number): KnownBlock[] {
  const blocks = [renderProposalSection(proposal, now)];
  if (proposal.gitops) {
    const owners = escapeMrkdwn(clip(proposal.gitops.owners.join(' and '), 300));
    blocks.push(renderGitOpsNote(proposal.gitops, `:warning: *Synced by ${owners}.*`));
  }
  return blocks;
}

/** True while the proposal's button should be shown. */
export function isOpen(proposal: Proposal, now: number): boolean {
  return proposal.state === 'proposed' && now < proposal.expiresAt;
}

/** The approve button: it carries only the proposal id; risky kinds are red and ask for confirmation. */
export function renderApproveButton(proposal: Proposal, index: number): types.Button {
  const risky = RISKY_ACTION_KINDS.has(proposal.kind);
  const owners = proposal.gitops?.owners.join(' and ');
  const button: types.Button = {
    type: 'button',
    action_id: clip(`${APPROVE_ACTION_PREFIX}${proposal.kind}.${index}`, SLACK_LIMITS.actionId),
    value: proposal.id,
    text: { type: 'plain_text', text: clip(proposal.title, SLACK_LIMITS.buttonText), emoji: true },
    style: risky ? 'danger' : 'primary',
  };
  if (risky || owners) {
    const what = `${escapeMrkdwn(proposal.title)} on ${escapeMrkdwn(describeProposalTarget(proposal))}.`;
    const warning = owners
      ? ` ${escapeMrkdwn(owners)} syncs it: its next sync reverts this patch unless the change is committed too.`
      : ' This changes running workloads.';
    button.confirm = {
      title: { type: 'plain_text', text: clip(`Run ${proposal.kind}?`, SLACK_LIMITS.confirmTitle) },
      text: { type: 'mrkdwn', text: clip(`${what}${warning}`, SLACK_LIMITS.confirmText) },
      confirm: { type: 'plain_text', text: 'Run it' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    };
  }
  return button;
}

/** Buttons for the open proposals, at most 25 (one actions block); the rest are counted. */
export function renderActionsBlocks(proposals: Proposal[], now: number): KnownBlock[] {
  const open = proposals.map((p, i) => ({ p, i })).filter(({ p }) => isOpen(p, now));
  if (open.length === 0) return [];
  const max = SLACK_LIMITS.actionsElements;
  const shown = open.slice(0, max);
  const blocks: KnownBlock[] = [
    { type: 'actions', block_id: 'medic_actions', elements: shown.map(({ p, i }) => renderApproveButton(p, i)) },
  ];
  if (open.length > max) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${open.length - max} more actions` }] });
  }
  return blocks;
}

/** A standalone proposal message (e.g. from `/scale`). */
export function renderProposalMessage(proposal: Proposal, intro: string, now: number) {
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(intro, SLACK_LIMITS.sectionText) } },
    ...renderProposalBlocks(proposal, now),
    ...renderActionsBlocks([proposal], now),
  ];
  return { text: clip(`${proposal.title}: ${describeState(proposal, now)}`, SLACK_LIMITS.fallbackText), blocks };
}
