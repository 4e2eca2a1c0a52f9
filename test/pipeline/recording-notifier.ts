/** An incident view that records what it is shown and lets a test await the n-th call (a fake of Slack's view). */
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import type { IncidentPair, IncidentView } from '../../src/incidents/incident.js';
import type { ProposalRecord } from '../../src/store/proposals.js';
import type { Diagnosis } from '../../src/types.js';

export type NotifierCall =
  | { type: 'firing'; event: AlertEvent; diagnosis: Diagnosis; pair: IncidentPair }
  | { type: 'resolved'; event: AlertEvent };

export class RecordingNotifier implements IncidentView {
  readonly calls: NotifierCall[] = [];
  readonly rerendered: ProposalRecord[] = [];
  readonly verified: ProposalRecord[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  async showFiring(event: AlertEvent, diagnosis: Diagnosis, pair: IncidentPair): Promise<void> {
    this.record({ type: 'firing', event, diagnosis, pair });
  }

  async showResolved(event: AlertEvent): Promise<void> {
    this.record({ type: 'resolved', event });
  }

  async rerenderProposal(proposal: ProposalRecord): Promise<void> {
    this.rerendered.push(proposal);
  }

  async showVerification(proposal: ProposalRecord): Promise<void> {
    this.verified.push(proposal);
  }

  /** Resolves once at least `count` calls were recorded. */
  waitForCalls(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private record(call: NotifierCall): void {
    this.calls.push(call);
    this.waiters = this.waiters.filter((w) => {
      if (this.calls.length < w.count) return true;
      w.resolve();
      return false;
    });
  }
}
