/**
 * The check after an action (src/incidents/verify.ts) as Slack shows it: a reply in the incident's thread saying
 * fixed / not fixed / changed with the evidence, the next steps as proposals with their buttons (never the action
 * just run), and one line under the proposal in the diagnosis reply.
 */
import type { Proposal, Verification, VerificationOutcome } from '../../types.js';
import { describeProposalTarget } from '../../vocabulary.js';
import { clip, escapeMrkdwn, fitBlocks, joinWithMore, type KnownBlock, SLACK_LIMITS } from './limits.js';
import { describeVerification, renderActionsBlocks, renderProposalSection } from './proposal.js';

const MAX_EVIDENCE = 6;

/** Slack message metadata of a verification reply. */
export interface VerificationMetadata {
  event_type: 'medic_verification';
  event_payload: {
    proposal_id: string;
    kind: string;
    outcome: VerificationOutcome;
    /** What the check diagnosed (a diagnosis reply's `root_cause` names the cause of an alert, not this). */
    root_cause_now: string;
    proposals: { id: string; kind: string }[];
  };
}

/** The verification reply of `proposal` (which must carry one), with its next steps. */
export function renderVerification(
  proposal: Proposal & { verification: Verification },
  next: Proposal[],
  now: number,
): { text: string; blocks: KnownBlock[]; metadata: VerificationMetadata } {
  const v = proposal.verification;
  const what = `*${escapeMrkdwn(clip(proposal.title, 200))}* (\`${proposal.kind}\` on ${escapeMrkdwn(describeProposalTarget(proposal))})`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`${describeVerification(v)}\nChecked: ${what}`, SLACK_LIMITS.sectionText) },
    },
  ];
  if (v.evidence.length > 0) {
    const lines = v.evidence.map((e) => `• ${escapeMrkdwn(clip(e.text, 400))}`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: joinWithMore(lines, MAX_EVIDENCE, SLACK_LIMITS.sectionText) },
    });
  }
  for (const p of next.slice(0, 10)) blocks.push(renderProposalSection(p, now));
  const blocked = v.unavailable.map(
    (u) => `• No button for *${escapeMrkdwn(u.title)}* (\`${u.kind}\`): ${escapeMrkdwn(u.reason)}`,
  );
  if (blocked.length > 0)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: joinWithMore(blocked, 5, SLACK_LIMITS.sectionText) },
    });
  if (v.outcome !== 'fixed' && next.length === 0 && blocked.length === 0) {
    const none = v.advice
      ? escapeMrkdwn(v.advice)
      : v.outcome === 'not fixed'
        ? 'The playbook knows no other step than the one just run, so Medic offers none; look at the evidence above.'
        : 'The playbook proposes no fix for this cause; look at the evidence above.';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: none } });
  }
  const d = v.diagnosis;
  const tail: KnownBlock[] = [
    ...renderActionsBlocks(next, now),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            `Diagnosed again: *${d.rootCause.code}* · playbook \`${d.playbook}\` · confidence ${d.rootCause.confidence}`,
            SLACK_LIMITS.sectionText,
          ),
        },
      ],
    },
  ];
  return {
    text: clip(`${v.outcome}: ${proposal.title} — ${v.summary}`, SLACK_LIMITS.fallbackText),
    blocks: fitBlocks([...blocks, ...tail], tail.length),
    metadata: {
      event_type: 'medic_verification',
      event_payload: {
        proposal_id: proposal.id,
        kind: proposal.kind,
        outcome: v.outcome,
        root_cause_now: d.rootCause.code,
        proposals: next.map((p) => ({ id: p.id, kind: p.kind })),
      },
    },
  };
}
