/**
 * A server that refuses new connections because every slot is taken, in its own words: PostgreSQL "sorry, too many
 * clients already" and "remaining connection slots are reserved for …", MySQL "Too many connections" (ER 1040),
 * Redis "max number of clients reached", MongoDB "too many open connections", PgBouncer "no more connections allowed".
 * Every replica opens its own pool, so adding replicas (a scale-up, an HPA) takes more slots: the wrong fix. Pure.
 */
const SERVERS: [RegExp, string][] = [
  [/sorry, too many clients already|remaining connection slots are reserved/i, 'PostgreSQL'],
  [/no more connections allowed \(max_client_conn\)/i, 'PgBouncer'],
  [/Too many connections|ER_CON_COUNT_ERROR|\b1040\b.*connections/i, 'MySQL'],
  [/max number of clients reached/i, 'Redis'],
  [/too many open connections/i, 'MongoDB'],
];

/** What a full connection table means and what to change; null when the log shows none. */
export function connectionSlotsFull(logLines: readonly string[]): string | null {
  for (const line of logLines) {
    for (const [re, server] of SERVERS) {
      const said = re.exec(line)?.[0];
      if (!said) continue;
      return `the ${server} server refuses new connections: every connection slot is taken ("${said}"). Each replica opens its own connection pool, so more replicas (a scale-up, an HPA) take more slots and make it worse, and restarting pods only reopens their pools. Lower the pool size per replica, put a pooler in front (PgBouncer, ProxySQL), or raise the server's connection limit; and look for connections the app leaks`;
    }
  }
  return null;
}
