/**
 * A proposal on a GitOps-owned object in Slack: the warning and the change to commit beside the button (warn),
 * in the button's place (refuse), and a worst case (long manifests on every proposal and refusal) that Slack
 * still accepts.
 */
import { describe, expect, it } from 'vitest';
import { renderDiagnosis } from '../../src/slack/render/diagnosis.js';
import { renderProposalMessage } from '../../src/slack/render/proposal.js';
import { validateBlocks } from '../../src/slack-simulator/blocks.js';
import type { GitOpsNote, Proposal } from '../../src/types.js';
import { alertEvent, diagnosisFor } from './fixtures.js';

const NOW = 1_760_000_000_000;

const note = (policy: GitOpsNote['policy'], manifestLines = 8): GitOpsNote => ({
  policy,
  owners: ['Flux Kustomization flux-system/apps'],
  advice: 'Its next reconciliation reverts a live patch: commit the change to the source it applies.',
  manifest: [
    '# Deployment shop/api (Flux Kustomization flux-system/apps)',
    ...Array.from({ length: manifestLines }, (_, i) => `  field${i}: <${'v'.repeat(60)}>`),
  ].join('\n'),
});

function proposal(i: number, gitops?: GitOpsNote): Proposal {
  return {
    id: `p${String(i).padStart(20, '0')}`,
    kind: 'set-memory-limit',
    title: `Raise app memory limit to ${512 + i}Mi`,
    params: { namespace: 'shop', workload: 'Deployment/api', container: 'app', limit: `${512 + i}Mi` },
    risk: 'low',
    diff: [{ field: 'spec.template.spec.containers[app].resources.limits.memory', before: '256Mi', after: '512Mi' }],
    ...(gitops ? { gitops } : {}),
    origin: { type: 'user', userId: 'UONCALL', command: '/scale' },
    createdAt: NOW,
    expiresAt: NOW + 3_600_000,
    state: 'proposed',
  };
}

const texts = (blocks: unknown[]) => JSON.stringify(blocks);

describe('GitOps owners in Slack proposals', () => {
  it('warn: the owner and the escaped change to commit follow the proposal, and the button asks to confirm', () => {
    const { blocks } = renderProposalMessage(proposal(0, note('warn')), 'Proposed by <@UONCALL>', NOW);
    expect(validateBlocks(blocks)).toEqual([]);
    const text = texts(blocks);
    expect(text).toContain(':warning: *Synced by Flux Kustomization flux-system/apps.*');
    expect(text).toContain('Change to commit:');
    expect(text).toContain('&lt;vvvv');
    const button = blocks.find((b) => b.type === 'actions') as { elements: { confirm?: { text: { text: string } } }[] };
    expect(button.elements[0]?.confirm?.text.text).toContain('Flux Kustomization flux-system/apps syncs it');
  });

  it('no owner: no warning, and a low-risk button asks nothing', () => {
    const { blocks } = renderProposalMessage(proposal(0), 'Proposed', NOW);
    expect(texts(blocks)).not.toContain('Change to commit');
    const button = blocks.find((b) => b.type === 'actions') as { elements: { confirm?: unknown }[] };
    expect(button.elements[0]?.confirm).toBeUndefined();
  });

  it('ten warned proposals and ten refusals with long manifests stay within Block Kit limits', () => {
    const event = alertEvent('ab01');
    const out = renderDiagnosis({
      diagnosis: diagnosisFor(event),
      proposals: Array.from({ length: 12 }, (_, i) => proposal(i, note('warn', 200))),
      unavailable: Array.from({ length: 12 }, (_, i) => ({
        kind: 'set-memory-limit',
        title: `Raise limit ${i}`,
        reason: 'Refused by guard rail managedBy.flux: Flux Kustomization flux-system/apps owns it',
        gitops: note('refuse', 200),
      })),
      affected: [],
      links: {},
      now: NOW,
    });
    expect(validateBlocks(out.blocks)).toEqual([]);
    const text = texts(out.blocks);
    expect(text).toContain(':no_entry: *No button for Raise limit 0*: Flux Kustomization flux-system/apps syncs it.');
    // The long manifest is cut at a line (what shows still pastes), and its code block still closes.
    expect(text).toContain('# …and ');
    const refusal = out.blocks.find(
      (b) => b.type === 'section' && 'text' in b && b.text?.text.startsWith(':no_entry:'),
    ) as { text: { text: string } };
    expect(refusal.text.text.length).toBeLessThanOrEqual(3000);
    expect(refusal.text.text.endsWith('```')).toBe(true);
    expect(out.blocks.filter((b) => b.type === 'actions')).toHaveLength(1);
  });
});
