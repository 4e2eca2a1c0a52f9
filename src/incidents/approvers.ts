/**
 * Who may approve: Slack user ids listed in medic.yaml `approvers`, or members of the user groups (S…)
 * listed there. Group membership comes from Slack (usergroups.users.list) and is cached briefly.
 */
import type { Logger } from '../logger.js';

/** Lists a user group's members; src/slack implements it with usergroups.users.list. */
export type ListGroupMembers = (groupId: string) => Promise<string[]>;

export interface ApproverCheck {
  isApprover(userId: string): Promise<boolean>;
}

export function createApproverCheck(deps: {
  approvers: string[];
  listGroupMembers: ListGroupMembers;
  logger: Logger;
  /** How long a group's member list is trusted; default 60 s. */
  cacheMs?: number;
  now?: () => number;
}): ApproverCheck {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 60_000;
  const users = new Set(deps.approvers.filter((id) => id.startsWith('U')));
  const groups = deps.approvers.filter((id) => id.startsWith('S'));
  const cache = new Map<string, { members: Set<string>; until: number }>();

  async function members(groupId: string): Promise<Set<string>> {
    const cached = cache.get(groupId);
    if (cached && cached.until > now()) return cached.members;
    try {
      const fresh = new Set(await deps.listGroupMembers(groupId));
      cache.set(groupId, { members: fresh, until: now() + cacheMs });
      return fresh;
    } catch (error) {
      // Slack unreachable: fall back to the last known list rather than locking every approver out.
      deps.logger.warn({ err: error, groupId }, 'could not list approver group members');
      if (cached) return cached.members;
      throw error;
    }
  }

  return {
    async isApprover(userId) {
      if (users.has(userId)) return true;
      for (const group of groups) {
        if ((await members(group)).has(userId)) return true;
      }
      return false;
    },
  };
}
