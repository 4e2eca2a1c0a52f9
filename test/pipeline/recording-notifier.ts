/** A notifier that records calls and lets a test await the n-th one (a fake of the Slack notifier's contract). */
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import type { AlertNotifier, Diagnosis } from '../../src/types.js';

export type NotifierCall =
  | { type: 'firing'; event: AlertEvent; diagnosis: Diagnosis }
  | { type: 'resolved'; event: AlertEvent };

export class RecordingNotifier implements AlertNotifier {
  readonly calls: NotifierCall[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  async notifyFiring(event: AlertEvent, diagnosis: Diagnosis): Promise<void> {
    this.record({ type: 'firing', event, diagnosis });
  }

  async notifyResolved(event: AlertEvent): Promise<void> {
    this.record({ type: 'resolved', event });
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
