/**
 * The audit log: every approval decision, execution outcome and check after it as a Redis stream entry
 * (`<prefix>:audit`, capped at about 10,000 entries): who, what, when, outcome.
 */
import type { Redis } from 'ioredis';

export type AuditAction = 'propose' | 'approve' | 'refuse' | 'execute' | 'verify';

export interface AuditEntry {
  /** Stream id, e.g. 1732521600000-0. */
  id: string;
  at: number;
  /** Slack user id, or `medic` for Medic's own decisions. */
  actor: string;
  action: AuditAction;
  proposalId: string;
  kind: string;
  target: string;
  /** e.g. approved, refused:not-approver, done, failed. */
  outcome: string;
  detail: string;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'id'>): Promise<string>;
  /** The newest `count` entries, newest first. */
  recent(count: number): Promise<AuditEntry[]>;
}

const MAX_LEN = 10_000;
const FIELDS = ['at', 'actor', 'action', 'proposalId', 'kind', 'target', 'outcome', 'detail'] as const;

export function createAuditLog(redis: Redis, prefix: string): AuditLog {
  const key = `${prefix}:audit`;
  return {
    async record(entry) {
      const values = FIELDS.flatMap((f) => [f, String(entry[f])]);
      const id = await redis.xadd(key, 'MAXLEN', '~', String(MAX_LEN), '*', ...values);
      return id ?? '';
    },
    async recent(count) {
      const rows = await redis.xrevrange(key, '+', '-', 'COUNT', Math.max(1, Math.min(count, 1000)));
      return rows.map(([id, flat]) => {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
        return {
          id,
          at: Number(fields.at),
          actor: fields.actor ?? '',
          action: (fields.action ?? 'approve') as AuditAction,
          proposalId: fields.proposalId ?? '',
          kind: fields.kind ?? '',
          target: fields.target ?? '',
          outcome: fields.outcome ?? '',
          detail: fields.detail ?? '',
        };
      });
    },
  };
}
