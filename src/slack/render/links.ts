/** Links a person needs from a Slack message: runbooks, dashboards, the alert's source and a pre-filled silence. */
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
