/** The notifier used when Slack is not configured: each diagnosis and resolve becomes one log line. */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Logger } from '../logger.js';
import type { AlertNotifier } from '../types.js';

export function createLogNotifier(logger: Logger): AlertNotifier {
  const log = logger.child({ notifier: 'log' });
  const alertFields = (event: AlertEvent) => ({
    fingerprint: event.alert.fingerprint,
    alertname: event.alert.labels.alertname,
    groupKey: event.groupKey,
  });
  return {
    async notifyFiring(event, diagnosis) {
      log.info(
        {
          ...alertFields(event),
          rootCause: diagnosis.rootCause.code,
          playbook: diagnosis.playbook,
          summary: diagnosis.rootCause.summary,
          actions: diagnosis.actions.map((a) => a.kind),
          partial: diagnosis.partial,
        },
        'diagnosis',
      );
    },
    async notifyResolved(event) {
      log.info(alertFields(event), 'alert resolved');
    },
  };
}
