/** Links a person needs from a Slack message: the alert's source and a pre-filled Alertmanager silence. */

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
