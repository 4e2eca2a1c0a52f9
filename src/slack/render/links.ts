/** Links a person needs from a Slack message: runbooks, dashboards, the alert's source and a pre-filled silence. */
import type { ThreadAlert, ThreadMeta } from '../../store/threads.js';
import { clip, type KnownBlock, SLACK_LIMITS } from './limits.js';

/**
 * action_id prefix of link buttons. Slack sends a block_actions request even for a button that only opens a URL;
 * Medic acks it and does nothing else (handlers/slack-actions.ts), so the click never shows an error.
 */
export const LINK_ACTION_PREFIX = 'medic.link.';
export const LINK_ACTION_PATTERN = /^medic\.link\./;

export interface LinkButton {
  label: string;
  url: string;
}

/** One actions block of URL buttons (http(s) only, Block Kit limits kept); null when there is no link. */
export function renderLinkButtons(links: LinkButton[]): KnownBlock | null {
  const usable = links.filter((l) => safeLink(l.url) && l.url.length <= 3000).slice(0, SLACK_LIMITS.actionsElements);
  if (usable.length === 0) return null;
  return {
    type: 'actions',
    elements: usable.map((l, i) => ({
      type: 'button' as const,
      text: { type: 'plain_text' as const, text: clip(l.label, SLACK_LIMITS.buttonText) },
      url: l.url,
      action_id: `${LINK_ACTION_PREFIX}${i}`,
    })),
  };
}

/** Alertmanager UI link that opens a new silence pre-filled with the alert's labels. */
export function silenceUrl(externalURL: string, labels: Record<string, string>): string | undefined {
  if (!/^https?:\/\//.test(externalURL)) return undefined;
  const matchers = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${(labels[name] ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  if (matchers.length === 0) return undefined;
  const base = externalURL.replace(/\/+$/, '');
  return `${base}/#/silences/new?filter=${encodeURIComponent(`{${matchers.join(',')}}`)}`;
}

/** Only http(s) links are rendered; anything else from a payload is dropped. */
export function safeLink(url: string | undefined): string | undefined {
  return url && /^https?:\/\//.test(url) ? url : undefined;
}

/**
 * The parent's link buttons: each distinct runbook of the group's alerts (a group can mix rules), the first
 * dashboard, the first firing alert's source in Prometheus, and a silence pre-filled with the group's labels.
 */
export function groupLinks(groupAlerts: ThreadAlert[], meta: ThreadMeta): LinkButton[] {
  const alerts = [...groupAlerts].sort((a, b) => Number(b.status === 'firing') - Number(a.status === 'firing'));
  const runbooks = [...new Set(alerts.map((a) => safeLink(a.runbookURL)).filter((u): u is string => !!u))];
  const dashboard = alerts.map((a) => safeLink(a.dashboardURL)).find((u) => u);
  const source = alerts.map((a) => safeLink(a.generatorURL)).find((u) => u);
  const silence = Object.keys(meta.groupLabels).length > 0 ? silenceUrl(meta.externalURL, meta.groupLabels) : undefined;
  return [
    ...runbooks.slice(0, 3).map((url, i) => ({ label: i === 0 ? 'Runbook' : `Runbook ${i + 1}`, url })),
    ...(dashboard ? [{ label: 'Dashboard', url: dashboard }] : []),
    ...(source ? [{ label: 'Alert source', url: source }] : []),
    ...(silence ? [{ label: 'Silence group', url: silence }] : []),
  ];
}
