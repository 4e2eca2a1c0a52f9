/**
 * A group's (root cause, workload) pair gets its proposals once (src/incidents/incident.ts): the first alert makes
 * them, every repeat shows the same ones. Repeats in this process are answered from its memory of pairs (a pair is
 * written once and never changed), not by reading Redis again; another process reads what the first one stored.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import { createIncidents } from '../../src/incidents/incident.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createIncidentStore, type IncidentStore } from '../../src/store/incidents.js';
import { createProposalStore } from '../../src/store/proposals.js';
import { RecordingNotifier } from '../pipeline/recording-notifier.js';
import { alertEvent, diagnosisFor } from '../slack/fixtures.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';

const redis = connect('store');
const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deleteKeysUnder(prefix);
});
afterAll(async () => {
  await redis.quit();
});

const GROUP = '{}:{namespace="ads"}';
const event = (fingerprint: string) => alertEvent(fingerprint, { groupKey: GROUP });
/** An OOM kill of Deployment api with one proposal: raise its limit. */
const diagnosis = (e: AlertEvent) => {
  const d = diagnosisFor(e);
  return { ...d, actions: d.actions.filter((a) => a.kind === 'set-memory-limit') };
};

/** An incident module as Medic wires it, on a store that counts its reads; dry runs always pass. */
function incidentsOn(prefix: string) {
  const store = createIncidentStore(redis, prefix);
  const reads = { count: 0 };
  const counted: IncidentStore = {
    ...store,
    getPair: (groupKey, pairKey) => {
      reads.count += 1;
      return store.getPair(groupKey, pairKey);
    },
  };
  const view = new RecordingNotifier();
  const incidents = createIncidents({
    proposals: createProposalStore(redis, prefix),
    audit: createAuditLog(redis, prefix),
    remediation: { prepare: async () => ({ ok: true, diff: [], notes: [] }) },
    ttlMs: 3_600_000,
    now: Date.now,
    incidents: counted,
    view,
    logger: silentLogger,
  });
  const pairs = () => view.calls.map((c) => (c.type === 'firing' ? c.pair.proposalIds : undefined));
  return { incidents, reads, pairs };
}

describe('incident pairs', () => {
  it('a storm of one pair: proposals made once, repeats shown the same ones without reading Redis again', async () => {
    const prefix = uniquePrefix('pairs');
    prefixes.push(prefix);
    const one = incidentsOn(prefix);
    for (let i = 0; i < 20; i += 1) {
      const e = event(`fp${String(i).padStart(14, '0')}`);
      await one.incidents.recordFiring(e, diagnosis(e));
    }
    const shown = one.pairs();
    expect(shown).toHaveLength(20);
    expect(shown[0]).toHaveLength(1);
    expect(new Set(shown.map((ids) => JSON.stringify(ids))).size).toBe(1);
    // The first alert looked the pair up (absent, so it made it); no repeat did.
    expect(one.reads.count).toBe(1);

    // Another process (a second replica) has no memory of it: it reads the stored pair once, proposes nothing new.
    const other = incidentsOn(prefix);
    for (let i = 20; i < 25; i += 1) {
      const e = event(`fp${String(i).padStart(14, '0')}`);
      await other.incidents.recordFiring(e, diagnosis(e));
    }
    expect(other.reads.count).toBe(1);
    expect(other.pairs().every((ids) => JSON.stringify(ids) === JSON.stringify(shown[0]))).toBe(true);
  });
});
