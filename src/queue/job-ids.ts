/**
 * Job ids are how BullMQ deduplicates: adding a job whose id exists is a no-op. Ids must not contain ':'
 * and must not be all digits, so the alert dedup key is hashed and prefixed.
 */
import { createHash } from 'node:crypto';
import type { AlertEvent } from '../alertmanager/payload.js';
import { MedicError } from '../errors.js';

/**
 * The same alert (fingerprint) in the same state (status) of the same episode (startsAt) is one job, however
 * often Alertmanager re-sends it (group_interval, repeat_interval, HA peers). A resolve is a different job;
 * a re-fire after a resolve has a new startsAt and is diagnosed again.
 */
export function alertDedupKey(event: AlertEvent): string {
  const { fingerprint, startsAt, status } = event.alert;
  return `${fingerprint}|${startsAt}|${status}`;
}

export function alertJobId(event: AlertEvent): string {
  return `al-${createHash('sha256').update(alertDedupKey(event)).digest('hex').slice(0, 40)}`;
}

const PROPOSAL_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A proposal id is used as-is as the action job id, so it must be a valid BullMQ custom id. */
export function actionJobId(proposalId: string): string {
  if (!PROPOSAL_ID.test(proposalId) || /^[0-9]+$/.test(proposalId)) {
    throw new MedicError(
      'BAD_REQUEST',
      `Proposal id "${proposalId.slice(0, 64)}" cannot be a job id: use letters, digits, _ or - (not only digits).`,
      { field: 'proposalId', permanent: true },
    );
  }
  return proposalId;
}

/**
 * The check after an action runs once per execution: its job id derives from the proposal id (one proposal is
 * executed at most once), so every replica and every retry that schedules it adds the same delayed job.
 */
export function verificationJobId(proposalId: string): string {
  return `verify-${actionJobId(proposalId)}`;
}
