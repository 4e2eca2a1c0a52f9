/** The parent message of an alert group's thread: what fires, where, how many, and when it is all over. */
import { clip, escapeMrkdwn, type KnownBlock, SLACK_LIMITS } from './limits.js';
import { type LinkButton, renderLinkButtons } from './links.js';

export interface ParentView {
  alertname: string;
  namespace?: string | undefined;
  /** The configured cluster, when Medic serves several: the header reads "prod-eu · ads". */
  cluster?: string | undefined;
  severity?: string | undefined;
  firing: number;
  resolved: number;
  groupLabels: Record<string, string>;
  alertmanagerURL?: string | undefined;
  /** Runbooks, dashboards, the alert source and a group silence, shown as link buttons under the header. */
  links?: LinkButton[];
}

export function renderParent(view: ParentView): { text: string; blocks: KnownBlock[] } {
  const total = view.firing + view.resolved;
  const allResolved = total > 0 && view.firing === 0;
  const place = [view.cluster, view.namespace].filter((part) => part !== undefined).join(' · ');
  const where = place ? ` in ${place}` : '';
  const title = allResolved ? `✅ Resolved: ${view.alertname}${where}` : `🔥 ${view.alertname}${where}`;
  const status = allResolved ? `All ${total} alert(s) resolved.` : `${view.firing} firing · ${view.resolved} resolved`;
  const fields = [
    `*Status*\n${status}`,
    `*Severity*\n${escapeMrkdwn(view.severity ?? 'unknown')}`,
    view.cluster
      ? `*Cluster · Namespace*\n${escapeMrkdwn(`${view.cluster} · ${view.namespace ?? '—'}`)}`
      : `*Namespace*\n${escapeMrkdwn(view.namespace ?? '—')}`,
    `*Alert*\n${escapeMrkdwn(view.alertname)}`,
  ];
  const labels = Object.entries(view.groupLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const context = [labels ? `Group: ${escapeMrkdwn(labels)}` : 'Group', 'Diagnoses follow in this thread.'];
  if (view.alertmanagerURL) context.push(`<${clip(view.alertmanagerURL, 1000)}|Alertmanager>`);
  const buttons = renderLinkButtons(view.links ?? []);
  return {
    text: clip(`${title}: ${status}`, SLACK_LIMITS.fallbackText),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, SLACK_LIMITS.headerText), emoji: true } },
      {
        type: 'section',
        fields: fields.map((text) => ({ type: 'mrkdwn' as const, text: clip(text, SLACK_LIMITS.fieldText) })),
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(context.join(' · '), SLACK_LIMITS.sectionText) }] },
      ...(buttons ? [buttons] : []),
    ],
  };
}
