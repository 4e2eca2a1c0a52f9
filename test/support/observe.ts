/**
 * What a fault test observes from outside the Medic processes: the diagnosis records in Redis (one per alert
 * episode), the queue counts, and the notifications each process logged (the log notifier's `diagnosis` lines).
 */
import { Queue } from 'bullmq';
import { createDiagnosisStore } from '../../src/store/diagnoses.js';
import type { Tracked } from './processes.js';
import { connect } from './redis.js';

export interface Observer {
  /** Diagnosis records per fingerprint (`kind: 'diagnosis'`). */
  diagnosisCounts(): Promise<Map<string, number>>;
  /** BullMQ job counts of the `alerts` queue. */
  alertQueueCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function observeRedis(redisUrl: string, prefix: string): Observer {
  const redis = connect('worker', redisUrl);
  redis.on('error', () => {
    // Fault tests kill this Redis on purpose; commands wait for the reconnect instead of failing.
  });
  const store = createDiagnosisStore({ redis, prefix });
  const alerts = new Queue('alerts', { connection: redis, prefix });
  alerts.on('error', () => {
    // Same: connection errors while Redis is down on purpose; the next call waits for the reconnect.
  });
  return {
    async diagnosisCounts() {
      const counts = new Map<string, number>();
      for (const record of await store.list()) {
        if (record.kind !== 'diagnosis') continue;
        counts.set(record.fingerprint, (counts.get(record.fingerprint) ?? 0) + 1);
      }
      return counts;
    },
    alertQueueCounts: () => alerts.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
    async close() {
      await alerts.close();
      redis.disconnect();
    },
  };
}

export interface LoggedDiagnoses {
  /** `diagnosis` log records per fingerprint. */
  counts: Map<string, number>;
  /** Output lines that looked like JSON but did not parse (a process died mid-line). */
  unparsed: string[];
}

/** Counts the `diagnosis` notifications processes log, per fingerprint (LOG_LEVEL must be info or lower). */
export function countLoggedDiagnoses(processes: Tracked[]): LoggedDiagnoses {
  const logged: LoggedDiagnoses = { counts: new Map(), unparsed: [] };
  const watch = (tracked: Tracked) =>
    tracked.onLine((line) => {
      if (!line.startsWith('{')) return;
      let record: { msg?: string; fingerprint?: string };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        logged.unparsed.push(`${tracked.name}: ${line.slice(0, 200)}`);
        return;
      }
      if (record.msg === 'diagnosis' && record.fingerprint) {
        logged.counts.set(record.fingerprint, (logged.counts.get(record.fingerprint) ?? 0) + 1);
      }
    });
  for (const tracked of processes) watch(tracked);
  return logged;
}

/** Fingerprints missing from `counts` and those counted more than once. */
export function exactlyOnceReport(expected: Iterable<string>, counts: Map<string, number>) {
  const missing: string[] = [];
  const duplicated: string[] = [];
  for (const fingerprint of expected) {
    const count = counts.get(fingerprint) ?? 0;
    if (count === 0) missing.push(fingerprint);
    if (count > 1) duplicated.push(fingerprint);
  }
  return { missing, duplicated };
}
