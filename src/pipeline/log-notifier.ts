/**
 * The incident view used when Slack is not configured: each diagnosis (with the proposals the incident module
 * made for it), resolve and proposal change becomes one log line. Nobody can approve from a log, so the
 * proposals only say what Medic would offer — and, on an object a GitOps tool syncs, the change to commit.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { IncidentView } from '../incidents/incident.js';
import type { Logger } from '../logger.js';
import type { ProposalStore } from '../store/proposals.js';

export function createLogIncidentView(logger: Logger, proposals: Pick<ProposalStore, 'getMany'>): IncidentView {
  const log = logger.child({ notifier: 'log' });
  const alertFields = (event: AlertEvent) => ({
    fingerprint: event.alert.fingerprint,
    alertname: event.alert.labels.alertname,
    groupKey: event.groupKey,
  });
  return {
    async showFiring(event, diagnosis, pair) {
      const offered = (await proposals.getMany(pair.proposalIds)).flatMap((p) =>
        p?.gitops ? [{ proposalId: p.id, kind: p.kind, ...p.gitops }] : [],
      );
      const refused = pair.unavailable.flatMap((u) => (u.gitops ? [{ kind: u.kind, ...u.gitops }] : []));
      const gitops = [...offered, ...refused];
      log.info(
        {
          ...alertFields(event),
          rootCause: diagnosis.rootCause.code,
          playbook: diagnosis.playbook,
          summary: diagnosis.rootCause.summary,
          actions: diagnosis.actions.map((a) => a.kind),
          proposals: pair.proposalIds,
          unavailable: pair.unavailable.map((u) => `${u.kind}: ${u.reason}`),
          partial: diagnosis.partial,
          ...(gitops.length > 0 ? { gitops } : {}),
        },
        'diagnosis',
      );
    },
    async showResolved(event) {
      log.info(alertFields(event), 'alert resolved');
    },
    async rerenderProposal(proposal) {
      log.info({ proposalId: proposal.id, kind: proposal.kind, state: proposal.state }, 'proposal changed');
    },
    async showVerification(proposal) {
      const v = proposal.verification;
      if (!v) return;
      log.info(
        {
          proposalId: proposal.id,
          kind: proposal.kind,
          outcome: v.outcome,
          rootCause: v.diagnosis.rootCause.code,
          summary: v.summary,
          evidence: v.evidence.map((e) => e.text),
          nextProposals: v.nextProposalIds,
          unavailable: v.unavailable.map((u) => `${u.kind}: ${u.reason}`),
          ...(v.advice ? { advice: v.advice } : {}),
        },
        'fix verified',
      );
    },
    async showSilence(event, silence) {
      if (!silence) log.info({ groupKey: event.groupKey }, 'alert group no longer silenced');
      else log.info({ groupKey: event.groupKey, ...silence }, 'alert group silenced');
    },
  };
}
