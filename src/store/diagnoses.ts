/**
 * Records of what the diagnosis worker did with each alert: one diagnosis per firing alert episode, one
 * record per resolve. Writes are idempotent per alert dedup key (fingerprint, startsAt, status), so a job
 * retried after a crash reuses the recorded diagnosis instead of producing a second one; tests and fault
 * tests read these records to prove "diagnosed exactly once".
 */
import { createHash } from 'node:crypto';
import type { AlertEvent } from '../alertmanager/payload.js';
import { alertDedupKey } from '../queue/job-ids.js';
import type { Diagnosis } from '../types.js';
import type { Redis } from './redis.js';
import { defineScript } from './scripts.js';

export interface DiagnosisRecord {
  kind: 'diagnosis' | 'resolve';
  /** The alert dedup key `fingerprint|startsAt|status`. */
  key: string;
  fingerprint: string;
  alertname: string;
  groupKey: string;
  startsAt: string;
  recordedAt: number;
  /** Present on `kind: 'diagnosis'`. */
  diagnosis?: Diagnosis;
}

export interface RecordResult {
  /** The stored record: the earlier one when this alert episode was already recorded. */
  record: DiagnosisRecord;
  created: boolean;
}

export interface DiagnosisStore {
  recordDiagnosis(event: AlertEvent, diagnosis: Diagnosis): Promise<RecordResult>;
  recordResolve(event: AlertEvent): Promise<RecordResult>;
  /** The diagnosis already recorded for this firing alert episode, if any. */
  findDiagnosis(event: AlertEvent): Promise<DiagnosisRecord | null>;
  /** Every record still kept, oldest first; `fingerprint` narrows it to one alert. */
  list(filter?: { fingerprint?: string }): Promise<DiagnosisRecord[]>;
}

export interface DiagnosisStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. `medic`; keys are `<prefix>:record:<id>` and the index `<prefix>:record-index`. */
  prefix: string;
  /** How long records are kept; default 7 days. */
  ttlMs?: number;
  now?: () => number;
}

const DEFAULT_TTL_MS = 7 * 86_400_000;

// KEYS: the record, the index. ARGV: record JSON, ttl ms, recordedAt, id, trim (1: drop index entries older
// than recordedAt - ttl). The record is written only if absent, and indexed with it; returns 1 when written.
const WRITE_RECORD = `
local written = 0
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[4])
  written = 1
end
if ARGV[5] == '1' then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2])) end
return written
`;

/** The index loses its expired entries at most this often per store (each entry's record has a TTL anyway). */
const TRIM_INTERVAL_MS = 60_000;

export function createDiagnosisStore(options: DiagnosisStoreOptions): DiagnosisStore {
  const { redis, prefix } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  const indexKey = `${prefix}:record-index`;
  const recordId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 40);
  const recordKey = (id: string) => `${prefix}:record:${id}`;
  const writeRecord = defineScript<number>(redis, 'medicWriteDiagnosisRecord', 2, WRITE_RECORD);
  let trimmedAt = Number.NEGATIVE_INFINITY;

  async function write(record: DiagnosisRecord): Promise<RecordResult> {
    const id = recordId(record.key);
    const json = JSON.stringify(record);
    const trim = record.recordedAt - trimmedAt >= TRIM_INTERVAL_MS;
    if (trim) trimmedAt = record.recordedAt;
    const created =
      (await writeRecord(recordKey(id), indexKey, json, ttlMs, record.recordedAt, id, trim ? 1 : 0)) === 1;
    // Read the stored record back only when an earlier one won (a retried job): the common case already has it.
    const stored = created ? json : await redis.get(recordKey(id));
    return { record: typeof stored === 'string' ? (JSON.parse(stored) as DiagnosisRecord) : record, created };
  }

  function baseRecord(event: AlertEvent, kind: DiagnosisRecord['kind']): DiagnosisRecord {
    return {
      kind,
      key: alertDedupKey(event),
      fingerprint: event.alert.fingerprint,
      alertname: event.alert.labels.alertname ?? '',
      groupKey: event.groupKey,
      startsAt: event.alert.startsAt,
      recordedAt: now(),
    };
  }

  return {
    recordDiagnosis: (event, diagnosis) => write({ ...baseRecord(event, 'diagnosis'), diagnosis }),
    recordResolve: (event) => write(baseRecord(event, 'resolve')),
    async findDiagnosis(event) {
      const stored = await redis.get(recordKey(recordId(alertDedupKey(event))));
      return stored ? (JSON.parse(stored) as DiagnosisRecord) : null;
    },
    async list(filter = {}) {
      const ids = await redis.zrange(indexKey, 0, -1);
      if (ids.length === 0) return [];
      const values = await redis.mget(ids.map(recordKey));
      return values
        .filter((v): v is string => typeof v === 'string')
        .map((v) => JSON.parse(v) as DiagnosisRecord)
        .filter((r) => filter.fingerprint === undefined || r.fingerprint === filter.fingerprint);
    },
  };
}
