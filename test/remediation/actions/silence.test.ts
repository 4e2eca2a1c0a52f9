import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilenceClient } from '../../../src/alertmanager/silences.js';
import { type RunningAlertmanager, startAlertmanager } from '../../alertmanager/start-alertmanager.js';
import { action, type Harness, proposalFrom, startHarness } from '../fixtures.js';

describe('silence action against a real Alertmanager', () => {
  let am: RunningAlertmanager;
  let h: Harness;
  beforeAll(async () => {
    am = await startAlertmanager();
    h = await startHarness({ alertmanagerUrl: am.url });
  }, 20_000);
  afterAll(async () => {
    await h?.close();
    await am?.stop();
  });

  it('creates a silence by medic, naming the proposal, ending after the duration', async () => {
    const proposed = action('silence', {
      matchers: [
        { name: 'alertname', value: 'KubePodCrashLooping' },
        { name: 'namespace', value: 'ads' },
      ],
      duration: '2h',
    });
    const prepared = await h.remediation.prepare(proposed);
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.diff[0]?.after).toMatch(/^\{alertname="KubePodCrashLooping", namespace="ads"\} until /);
    const proposal = proposalFrom(proposed, prepared);
    const before = Date.now();
    const outcome = await h.remediation.execute(proposal);
    const id = /silence (\S+) created/.exec(outcome.message)?.[1] ?? '';
    const silence = await createSilenceClient(am.url).getSilence(id);
    expect(silence).toMatchObject({ createdBy: 'medic', comment: `Medic proposal ${proposal.id}: silence test` });
    expect(silence.status.state).toBe('active');
    const lasts = Date.parse(silence.endsAt) - before;
    expect(lasts).toBeGreaterThan(2 * 3_600_000 - 5_000);
    expect(lasts).toBeLessThanOrEqual(2 * 3_600_000 + 1_000);
  });

  it('without ALERTMANAGER_URL no silence is offered', async () => {
    const bare = await startHarness();
    try {
      const prepared = await bare.remediation.prepare(
        action('silence', { matchers: [{ name: 'alertname', value: 'X' }], duration: '1h' }),
      );
      expect(prepared).toEqual({ ok: false, reason: 'ALERTMANAGER_URL is not set, so Medic cannot create silences' });
    } finally {
      await bare.close();
    }
  });
});
