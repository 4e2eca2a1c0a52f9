import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../src/alertmanager/alerts.js';
import type { Silence } from '../../src/alertmanager/silences.js';
import {
  assessGroup,
  groupSilenceOf,
  nextStep,
  silencedGroups,
  silencesToLookUp,
} from '../../src/incidents/silence-decisions.js';
import type { SilenceFollow } from '../../src/store/silence-follows.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');

const listed = (fingerprint: string, silencedBy: string[] = []): AlertState => ({
  fingerprint,
  labels: { alertname: 'A' },
  status: { state: silencedBy.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
});

const silence = (id: string, endsAt: string, state: Silence['status']['state'] = 'active'): Silence => ({
  id,
  matchers: [],
  createdBy: 'alice',
  comment: 'maintenance',
  startsAt: '2026-12-06T11:00:00Z',
  endsAt,
  status: { state },
});

const follow = (over: Partial<SilenceFollow> = {}): SilenceFollow => ({
  groupKey: '{}:{alertname="A"}',
  groupLabels: { alertname: 'A' },
  source: 'medic',
  approvedBy: 'UAPPROVER',
  silence: { id: 's1', endsAt: '2026-12-06T14:00:00Z', createdBy: 'medic' },
  silenced: 2,
  firing: 2,
  startedAt: NOW - 60_000,
  nextAt: NOW,
  ...over,
});

const assess = (firing: string[], alerts: AlertState[], upForMs = 600_000) =>
  assessGroup({ firing, listed: alerts, alertmanagerUpForMs: upForMs, restartGraceMs: 120_000 });

describe('assessGroup: what a check learns from Alertmanager', () => {
  it('takes an alert Alertmanager no longer lists for ended, and counts the silenced ones still there', () => {
    const a = assess(['f1', 'f2', 'f3'], [listed('f2', ['s1']), listed('f3')]);
    expect(a).toEqual({ trusted: true, ended: ['f1'], remaining: ['f2', 'f3'], covering: ['s1'], silenced: 1 });
  });

  it('concludes nothing from absences while Alertmanager has just restarted (it keeps alerts in memory)', () => {
    const a = assess(['f1', 'f2'], [], 30_000);
    expect(a.trusted).toBe(false);
    expect(a.ended).toEqual([]);
    expect(nextStep(follow(), a, new Map(), NOW)).toEqual({ kind: 'continue', silence: follow().silence });
  });

  it('ignores alerts of the group that Medic never heard of (they were silenced before any notification)', () => {
    const a = assess(['f1'], [listed('f1', ['s1']), listed('f9', ['s1'])]);
    expect(a.remaining).toEqual(['f1']);
    expect(a.silenced).toBe(1);
  });
});

describe('silencesToLookUp and nextStep: does the follow go on', () => {
  it('stops when every alert Medic holds as firing has ended', () => {
    const a = assess(['f1', 'f2'], []);
    expect(nextStep(follow(), a, new Map(), NOW)).toEqual({ kind: 'stop', reason: 'ended' });
  });

  it('goes on while the followed silence covers the group, showing its end as Alertmanager moved it', () => {
    const a = assess(['f1'], [listed('f1', ['s1'])]);
    expect(silencesToLookUp(follow(), a)).toEqual(['s1']);
    expect(nextStep(follow(), a, new Map(), NOW)).toEqual({ kind: 'continue', silence: follow().silence });
    const extended = new Map([['s1', silence('s1', '2026-12-06T20:00:00Z')]]);
    const step = nextStep(follow(), a, extended, NOW);
    expect(step.kind === 'continue' && step.silence.endsAt).toBe('2026-12-06T20:00:00Z');
  });

  it("reads a Medic silence's end and author on the first check", () => {
    const first = follow({ silence: { id: 's1' }, silenced: 0, firing: 0 });
    const a = assess(['f1'], [listed('f1', ['s1'])]);
    expect(silencesToLookUp(first, a)).toEqual(['s1']);
    const step = nextStep(first, a, new Map([['s1', silence('s1', '2026-12-06T14:00:00Z')]]), NOW);
    expect(step).toEqual({
      kind: 'continue',
      silence: { id: 's1', createdBy: 'alice', comment: 'maintenance', endsAt: '2026-12-06T14:00:00Z' },
    });
  });

  it('follows the silence that replaced the followed one (an edit in the UI makes a new id), the one ending last', () => {
    const a = assess(['f1', 'f2'], [listed('f1', ['s2']), listed('f2', ['s3'])]);
    expect(silencesToLookUp(follow(), a)).toEqual(['s2', 's3']);
    const lookups = new Map([
      ['s2', silence('s2', '2026-12-06T13:00:00Z')],
      ['s3', silence('s3', '2026-12-06T18:00:00Z')],
    ]);
    const step = nextStep(follow(), a, lookups, NOW);
    expect(step.kind === 'continue' && step.silence.id).toBe('s3');
  });

  it('stops when nothing covers the firing alerts and the followed silence expired or is gone', () => {
    const a = assess(['f1'], [listed('f1')]);
    expect(silencesToLookUp(follow(), a)).toEqual(['s1']);
    const expired = new Map([['s1', silence('s1', '2026-12-06T14:00:00Z', 'expired')]]);
    expect(nextStep(follow(), a, expired, NOW)).toEqual({ kind: 'stop', reason: 'silence-over' });
    const pastItsEnd = new Map([['s1', silence('s1', '2026-12-06T11:59:00Z')]]);
    expect(nextStep(follow(), a, pastItsEnd, NOW)).toEqual({ kind: 'stop', reason: 'silence-over' });
    expect(nextStep(follow(), a, new Map([['s1', null]]), NOW)).toEqual({ kind: 'stop', reason: 'silence-over' });
  });

  it('goes on while the followed silence is live even if it covers none of what still fires, until its end', () => {
    const a = assess(['f1'], [listed('f1')]);
    const live = new Map([['s1', silence('s1', '2026-12-06T14:00:00Z')]]);
    const step = nextStep(follow(), a, live, NOW);
    expect(step.kind).toBe('continue');
    expect(groupSilenceOf({ ...follow(), silenced: a.silenced, firing: a.remaining.length })).toBeNull();
  });
});

describe('silencedGroups: what the sweep finds', () => {
  const open = [
    { id: 'g1', groupKey: 'k1', fingerprints: ['f1', 'f2'] },
    { id: 'g2', groupKey: 'k2', fingerprints: ['f3', 'f4'] },
    { id: 'g3', groupKey: 'k3', fingerprints: ['f5'] },
  ];
  const suppressed = [listed('f1', ['s1']), listed('f2', ['s1', 's2']), listed('f3', ['s1']), listed('f5', ['s9'])];

  it('finds the groups whose every firing alert is silenced, with the silences that cover them', () => {
    const found = silencedGroups(open, suppressed, new Set());
    expect(found.map((f) => [f.group.id, f.covering])).toEqual([
      ['g1', ['s1', 's2']],
      ['g3', ['s9']],
    ]);
  });

  it('leaves out groups already followed and alerts only inhibited', () => {
    const inhibited: AlertState = {
      ...listed('f5'),
      status: { state: 'suppressed', silencedBy: [], inhibitedBy: ['x'] },
    };
    const found = silencedGroups(open, [...suppressed.slice(0, 3), inhibited], new Set(['g1']));
    expect(found).toEqual([]);
  });
});

describe('groupSilenceOf: what the parent shows', () => {
  it('shows the approver of a Medic silence and its end, counting what it covers', () => {
    expect(groupSilenceOf(follow({ silenced: 1, firing: 2 }))).toEqual({
      source: 'medic',
      approvedBy: 'UAPPROVER',
      createdBy: 'medic',
      until: Date.parse('2026-12-06T14:00:00Z'),
      silenced: 1,
      firing: 2,
    });
  });

  it('shows nothing before the first check counted the covered alerts, or without a follow', () => {
    expect(groupSilenceOf(follow({ silenced: 0 }))).toBeNull();
    expect(groupSilenceOf(null)).toBeNull();
  });
});
