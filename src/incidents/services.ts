/**
 * The incident services: what the incident module, approvals, action runs and the Slack adapter share — the
 * Redis records of proposals and the audit log, the remediation that dry-runs and runs, the proposal TTL.
 */
import type { Settings } from '../config/settings.js';
import type { Logger } from '../logger.js';
import type { RemediationService } from '../remediation/index.js';
import { createAuditLog } from '../store/audit.js';
import { createProposalStore } from '../store/proposals.js';
import type { Redis } from '../store/redis.js';
import type { ProposalDeps } from './proposals.js';

/** What the incident module and Slack both use: the Redis records of proposals, audit and incidents. */
export interface IncidentServices extends ProposalDeps {
  remediation: RemediationService;
  settings: Settings;
  logger: Logger;
}

export function createIncidentServices(options: {
  redis: Redis;
  prefix: string;
  settings: Settings;
  remediation: RemediationService;
  logger: Logger;
  now?: () => number;
}): IncidentServices {
  return {
    proposals: createProposalStore(options.redis, options.prefix),
    audit: createAuditLog(options.redis, options.prefix),
    remediation: options.remediation,
    ttlMs: options.settings.proposals.ttl,
    now: options.now ?? Date.now,
    settings: options.settings,
    logger: options.logger,
  };
}
