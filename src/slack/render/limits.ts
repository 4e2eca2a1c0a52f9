/**
 * Block Kit limits (docs.slack.dev/reference/block-kit) and the truncation that keeps every message
 * postable: long text is cut with "…", long lists end with "…and N more".
 */
import type { types } from '@slack/bolt';

export type KnownBlock = types.KnownBlock;

export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  headerText: 150,
  actionId: 255,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  contextElements: 10,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Fallback `text` is truncated by Slack at 40,000; stay well below. */
  fallbackText: 3000,
} as const;

/** `text` cut to at most `max` characters, ending with "…" when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Joins lines into one text of at most `maxChars`, showing at most `maxItems` lines; the lines left out
 * are counted in a last "…and N more" line.
 */
export function joinWithMore(lines: string[], maxItems: number, maxChars: number): string {
  const shown: string[] = [];
  let used = 0;
  for (const [i, raw] of lines.entries()) {
    const remaining = lines.length - i;
    const reserve = remaining > 1 ? `…and ${remaining} more`.length + 1 : 0;
    const line = clip(raw, Math.max(1, maxChars - reserve - 1));
    if (shown.length >= maxItems || used + line.length + 1 + reserve > maxChars) break;
    shown.push(line);
    used += line.length + 1;
  }
  const hidden = lines.length - shown.length;
  if (hidden > 0) shown.push(`…and ${hidden} more`);
  return shown.join('\n');
}

/** Caps a message at Slack's 50 blocks: the tail blocks (`keepLast`) stay, the middle is summarised. */
export function fitBlocks(blocks: KnownBlock[], keepLast = 0): KnownBlock[] {
  if (blocks.length <= SLACK_LIMITS.blocks) return blocks;
  const tail = keepLast > 0 ? blocks.slice(-keepLast) : [];
  const head = blocks.slice(0, SLACK_LIMITS.blocks - 1 - tail.length);
  const hidden = blocks.length - head.length - tail.length;
  const more: KnownBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${hidden} more` }] };
  return [...head, more, ...tail];
}
