import { describe, expect, it } from 'vitest';
import { type DiagnosisView, renderDiagnosis, withoutAffectedList } from '../../src/slack/render/diagnosis.js';
import { clip, joinWithMore } from '../../src/slack/render/limits.js';
import { renderParent } from '../../src/slack/render/parent.js';
import { renderProposalMessage } from '../../src/slack/render/proposal.js';
import { validateBlocks } from '../../src/slack-simulator/blocks.js';
import type { Proposal } from '../../src/types.js';
import { ACTION_KINDS } from '../../src/vocabulary.js';
import { alertEvent, diagnosisFor } from './fixtures.js';

const NOW = 1_760_000_000_000;

function proposal(i: number): Proposal {
  const kind = ACTION_KINDS[i % ACTION_KINDS.length] ?? 'scale';
  return {
    id: `p${String(i).padStart(20, '0')}`,
    kind,
    title: `Action number ${i} with a rather long title that goes on and on well past what a button can show`,
    params: { namespace: 'ads', workload: 'Deployment/api' },
    risk: 'medium',
    diff: Array.from({ length: 30 }, (_, j) => ({
      field: `spec.field${j}`,
      before: 'x'.repeat(200),
      after: 'y'.repeat(200),
    })),
    origin: { type: 'diagnosis', fingerprint: 'aa', playbook: 'oom-killed', rootCause: 'OOM_LIMIT' },
    createdAt: NOW,
    expiresAt: NOW + 3_600_000,
    state: 'proposed',
  };
}

describe('Block Kit rendering within Slack limits', () => {
  it('truncates a huge diagnosis ("…and N more") into a message Slack accepts', () => {
    const event = alertEvent('ff01');
    const diagnosis = diagnosisFor(event);
    diagnosis.rootCause.summary = 'S'.repeat(5000);
    diagnosis.evidence = Array.from({ length: 40 }, (_, i) => ({
      kind: 'event' as const,
      text: `evidence ${i} ${'e'.repeat(900)}`,
    }));
    const proposals = Array.from({ length: 40 }, (_, i) => proposal(i));
    const affected = Array.from({ length: 300 }, (_, i) => ({
      fingerprint: `f${i}`,
      label: `pod-${i}-${'z'.repeat(60)}`,
      status: 'firing' as const,
    }));
    const out = renderDiagnosis({
      diagnosis,
      proposals,
      unavailable: Array.from({ length: 20 }, (_, i) => ({
        kind: 'delete-pod',
        title: `t${i}`,
        reason: 'r'.repeat(500),
      })),
      affected,
      links: { generatorURL: `http://prom/${'q'.repeat(4000)}`, silenceURL: 'http://am/#/silences/new' },
      now: NOW,
    });
    expect(validateBlocks(out.blocks)).toEqual([]);
    expect(out.blocks.length).toBeLessThanOrEqual(50);
    const json = JSON.stringify(out.blocks);
    const has = (text: string) => json.includes(text);
    expect(has('…and 34 more')).toBe(true); // evidence: 6 shown of 40
    expect(has('…and 30 more proposals')).toBe(true);
    expect(has('…and 15 more actions')).toBe(true); // 25 buttons of 40
    expect(has('…and 285 more')).toBe(true); // affected alerts: 15 shown of 300
    expect(out.text.length).toBeLessThanOrEqual(3000);
    expect(out.metadata.event_payload.proposals).toHaveLength(40);
    // Buttons carry only the proposal id.
    const buttons = out.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])) as { value?: string }[];
    expect(buttons.map((b) => b.value)).toEqual(proposals.slice(0, 25).map((p) => p.id));
  });

  it('keeps parent headers and standalone proposals within limits', () => {
    const parent = renderParent({
      alertname: 'A'.repeat(400),
      namespace: 'ads',
      firing: 3,
      resolved: 0,
      groupLabels: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`label${i}`, 'v'.repeat(30)])),
    });
    expect(validateBlocks(parent.blocks)).toEqual([]);
    const message = renderProposalMessage(proposal(0), 'I'.repeat(4000), NOW);
    expect(validateBlocks(message.blocks)).toEqual([]);
  });

  it('clip and joinWithMore never exceed their budget', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    const text = joinWithMore(
      Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(100)}`),
      50,
      1000,
    );
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(text).toMatch(/…and \d+ more$/);
  });
});

describe('a reply without its affected-alerts list (what a storm may leave for the settle pass)', () => {
  const event = alertEvent('ab01');
  const member = (i: number, status: 'firing' | 'resolved' = 'firing') => ({
    fingerprint: i === 0 ? 'ab01' : `ab0${i + 1}`,
    label: `api-${i}`,
    status,
  });
  const view = (affected: DiagnosisView['affected'], summary = 'killed at its 256Mi limit'): DiagnosisView => {
    const diagnosis = diagnosisFor(event);
    diagnosis.rootCause.summary = summary;
    return { diagnosis, proposals: [], unavailable: [], affected, links: {}, now: NOW };
  };
  const listFree = (v: DiagnosisView) => JSON.stringify(withoutAffectedList(renderDiagnosis(v)));

  it('is the same when only alerts joined or resolved; differs when what the reply says changed', () => {
    const two = view([member(0), member(1)]);
    const five = view([member(0), member(1), member(2), member(3, 'resolved'), member(4)]);
    // The full replies differ (the list and the metadata's fingerprints)...
    expect(JSON.stringify(renderDiagnosis(two))).not.toBe(JSON.stringify(renderDiagnosis(five)));
    expect(renderDiagnosis(five).metadata.event_payload.fingerprints).toHaveLength(5);
    // ...and without the list they are one message.
    expect(listFree(two)).toBe(listFree(five));
    // Every alert resolved changes the headline: not a list-only change. Nor is another summary.
    expect(listFree(view([member(0, 'resolved'), member(1, 'resolved')]))).not.toBe(listFree(two));
    expect(listFree(view([member(0), member(1)], 'another summary'))).not.toBe(listFree(two));
  });
});
