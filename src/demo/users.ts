/** The demo workspace's people: who may approve (medic.yaml approvers: U0ALICE and the @sre group) and who may not. */
import type { SimUser } from '../slack-simulator/index.js';

export const DEMO_CHANNEL = 'C0INCIDENTS';

/** Alice is on call (an approver by id), Carol approves through the @sre group, Bob is a developer. */
export const DEMO_USERS: SimUser[] = [
  { id: 'U0ALICE', name: 'Alice Chen', isApprover: true },
  { id: 'U0CAROL', name: 'Carol Diaz', isApprover: true },
  { id: 'U0BOB', name: 'Bob Martin', isApprover: false },
];

export const DEMO_USERGROUPS: Record<string, string[]> = { S0SRE: ['U0CAROL'] };
