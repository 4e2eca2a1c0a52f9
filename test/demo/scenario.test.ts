import { describe, expect, it } from 'vitest';
import { countAlerts, loadDemoScenario, SNAPSHOT_TIME, shiftTimestamps } from '../../src/demo/scenario.js';

const HOUR = 3_600_000;

describe('the built-in demo scenario', () => {
  it('moves timestamps, also inside log text, but keeps Go’s zero time and the fraction style', () => {
    const shifted = shiftTimestamps(
      {
        startsAt: '2026-11-20T09:55:52.418Z',
        endsAt: '0001-01-01T00:00:00Z',
        lastTimestamp: '2026-11-20T09:58:51Z',
        log: '2026-11-20T09:55:31Z WARN GC overhead 38%\n',
        count: 9,
      },
      2 * HOUR,
    );
    expect(shifted).toEqual({
      startsAt: '2026-11-20T11:55:52.418Z',
      endsAt: '0001-01-01T00:00:00Z',
      lastTimestamp: '2026-11-20T11:58:51Z',
      log: '2026-11-20T11:55:31Z WARN GC overhead 38%\n',
      count: 9,
    });
  });

  it('places the incidents minutes before now, with five alert groups and eight alerts', async () => {
    const now = Date.parse('2027-03-01T12:00:00Z');
    const scenario = await loadDemoScenario(now);
    expect(scenario.payloads.map((p) => p.body.groupKey)).toEqual([
      '{}:{namespace="ads"}',
      '{}:{namespace="prod"}',
      '{}:{namespace="search"}',
      '{}:{namespace="edge"}',
      '{}:{namespace="shop"}',
    ]);
    expect(countAlerts(scenario)).toBe(8);
    const starts = scenario.payloads.flatMap((p) =>
      (p.body.alerts as { startsAt: string }[]).map((a) => Date.parse(a.startsAt)),
    );
    for (const t of starts) {
      expect(now - t).toBeGreaterThan(0);
      expect(now - t).toBeLessThan(HOUR);
    }
    const events = scenario.objects.filter((o: any) => o.kind === 'Event') as any[];
    const newest = Math.max(...events.map((e) => Date.parse(e.lastTimestamp)));
    expect(now - newest).toBeLessThan(5 * 60_000);
    expect(Number.isFinite(SNAPSHOT_TIME)).toBe(true);
  });
});
