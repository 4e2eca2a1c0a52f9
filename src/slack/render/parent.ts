/**
 * The parent message of an alert group's thread: what fires, where, how many, whether it is silenced (who, until
 * when), and when it is all over.
 */
import type { GroupSilence } from '../../incidents/silence-decisions.js';
import { clip, escapeMrkdwn, type KnownBlock, SLACK_LIMITS } from './limits.js';
import { type LinkButton, renderLinkButtons } from './links.js';

export interface ParentView {
  alertname: string;
  namespace?: string | undefined;
  severity?: string | undefined;
  firing: number;
  resolved: number;
  groupLabels: Record<string, string>;
  alertmanagerURL?: string | undefined;
  /** Runbooks, dashboards, the alert source and a group silence, shown as link buttons under the header. */
  links?: LinkButton[];
  /** The group's silence while Medic follows it (src/incidents/silence-follow.ts). */
  silence?: GroupSilence | null;
}

/** A Slack date the reader sees in their time zone, with the UTC time as the fallback text. */
const slackDate = (ms: number) =>
  `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')}>`;

/** "🔕 Silenced by <@U…> (Medic) until …": who silenced the group's alerts and when they notify again. */
export function renderSilenceLine(silence: GroupSilence): string {
  const by =
    silence.source === 'medic'
      ? `by ${silence.approvedBy ? `<@${silence.approvedBy}>` : 'an approver'} (Medic silence)`
      : `in Alertmanager by ${escapeMrkdwn(clip(silence.createdBy || 'someone', 100))}`;
  const until = silence.until === undefined ? '' : ` until ${slackDate(silence.until)}`;
  const share = silence.silenced < silence.firing ? ` (${silence.silenced} of ${silence.firing} firing alerts)` : '';
  const comment =
    silence.source === 'alertmanager' && silence.comment ? `: “${escapeMrkdwn(clip(silence.comment, 300))}”` : '';
  return `🔕 Silenced ${by}${until}${share}${comment}. Alertmanager sends no resolve for silenced alerts; Medic checks it and marks them resolved when they end.`;
}

export function renderParent(view: ParentView): { text: string; blocks: KnownBlock[] } {
  const total = view.firing + view.resolved;
  const allResolved = total > 0 && view.firing === 0;
  const silence = allResolved ? null : view.silence;
  const where = view.namespace ? ` in ${view.namespace}` : '';
  const title = allResolved
    ? `✅ Resolved: ${view.alertname}${where}`
    : `${silence ? '🔕' : '🔥'} ${view.alertname}${where}`;
  const status = allResolved ? `All ${total} alert(s) resolved.` : `${view.firing} firing · ${view.resolved} resolved`;
  const fields = [
    `*Status*\n${status}`,
    `*Severity*\n${escapeMrkdwn(view.severity ?? 'unknown')}`,
    `*Namespace*\n${escapeMrkdwn(view.namespace ?? '—')}`,
    `*Alert*\n${escapeMrkdwn(view.alertname)}`,
  ];
  const labels = Object.entries(view.groupLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const context = [labels ? `Group: ${escapeMrkdwn(labels)}` : 'Group', 'Diagnoses follow in this thread.'];
  if (view.alertmanagerURL) context.push(`<${clip(view.alertmanagerURL, 1000)}|Alertmanager>`);
  const buttons = renderLinkButtons(view.links ?? []);
  return {
    text: clip(`${title}: ${status}${silence ? ' (silenced)' : ''}`, SLACK_LIMITS.fallbackText),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, SLACK_LIMITS.headerText), emoji: true } },
      {
        type: 'section',
        fields: fields.map((text) => ({ type: 'mrkdwn' as const, text: clip(text, SLACK_LIMITS.fieldText) })),
      },
      ...(silence
        ? [
            {
              type: 'section' as const,
              text: { type: 'mrkdwn' as const, text: clip(renderSilenceLine(silence), SLACK_LIMITS.sectionText) },
            },
          ]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(context.join(' · '), SLACK_LIMITS.sectionText) }] },
      ...(buttons ? [buttons] : []),
    ],
  };
}
