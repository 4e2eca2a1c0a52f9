/**
 * A container that fails because a server rejects its credentials, read from its log and its pod spec: PostgreSQL's
 * "password authentication failed for user", MySQL's "Access denied for user 'x'@'h' (using password: YES)", SQL
 * Server's "Login failed for user", MongoDB's "(AuthenticationFailed)", Redis/Valkey's WRONGPASS and NOAUTH,
 * RabbitMQ's ACCESS_REFUSED, Kafka's SASL authentication failure.
 * The kubelet resolves a container's environment (secretKeyRef, envFrom) and its subPath mounts when it creates the
 * container, so a crash-looping container reads the Secret afresh at every restart: the rejection is not a stale copy
 * in the pod, it is the Secret (or the server's user) holding credentials the other side does not accept, typically a
 * rotation done on one side only. Restarting or replacing pods changes nothing; the spec says where the credentials
 * come from. A container running since before a rotation is the other case: its environment still holds the value
 * the Secret had when it started, and a restart reads the current one. Medic never reads Secrets, so their content
 * is not checked. Pure.
 */
import type { Container, Pod } from '../kube/reader.js';
import { volumeSources } from './config-refs.js';
import { containerSpec } from './pods.js';

const REJECTIONS: { server: string; re: RegExp }[] = [
  { server: 'PostgreSQL', re: /password authentication failed for user \\?"?([^"\\\s]+)/i },
  { server: 'MySQL', re: /Access denied for user '([^']*)'@/ },
  { server: 'SQL Server', re: /Login failed for user '([^']*)'/ },
  { server: 'MongoDB', re: /\(AuthenticationFailed\)|MongoServerError: Authentication failed|MongoSecurityException/ },
  { server: 'Redis', re: /WRONGPASS|NOAUTH Authentication required|invalid username-password pair/ },
  { server: 'RabbitMQ', re: /ACCESS_REFUSED - Login was refused/ },
  {
    server: 'Kafka',
    re: /SaslAuthenticationException|Authentication failed during authentication due to invalid credentials/,
  },
];

const CREDENTIAL_NAME = /pass|secret|token|credential|auth|dsn|connection|conn_?str|database_url|db_url|_uri$|_url$/i;

function rejection(lines: readonly string[]): { server: string; user: string | null } | null {
  for (const line of lines)
    for (const { server, re } of REJECTIONS) {
      const m = re.exec(line);
      if (m) return { server, user: m[1] || null };
    }
  return null;
}

/** Where the container's Secrets reach it: env vars, envFrom, mounted volumes. */
function secretSources(pod: Pod, container: Container): string[] {
  const sources: string[] = [];
  for (const env of container.env ?? []) {
    const ref = env.valueFrom?.secretKeyRef;
    if (ref?.name) sources.push(`Secret ${ref.name} (env ${env.name}, key ${ref.key})`);
  }
  for (const from of container.envFrom ?? [])
    if (from.secretRef?.name) sources.push(`Secret ${from.secretRef.name} (envFrom)`);
  for (const mount of container.volumeMounts ?? [])
    for (const s of volumeSources(pod.spec, mount.name))
      if (s.kind === 'Secret') sources.push(`Secret ${s.name} (volume ${mount.name} at ${mount.mountPath})`);
  return sources;
}

/** What the rejection means for the pod's credentials; null when the log shows none. */
export function rejectedCredentials(
  pod: Pod,
  container: string,
  logLines: readonly string[],
  runningSince?: string,
): string | null {
  const found = rejection(logLines);
  if (!found) return null;
  const spec = containerSpec(pod, container);
  const head = `the ${found.server} server rejects the credentials of container ${container}${found.user ? ` (user ${found.user})` : ''}`;
  const sources = spec ? secretSources(pod, spec) : [];
  const inEnv = sources.filter((x) => !x.includes('(volume '));
  // A container that has been running since before a rotation still holds the old value in its environment.
  if (runningSince && inEnv.length > 0)
    return `${head}. It takes them from ${sources.join(', ')}; environment variables are read once, when the container started (${runningSince}), and never refreshed: if the Secret or the server's password was rotated since, the pods still send the old one and a restart (kubectl rollout restart) makes them read the current Secret; if neither changed since, the Secret and the server disagree`;
  if (sources.length > 0)
    return `${head}. It takes them from ${sources.join(', ')}, which the kubelet reads again for every container it starts (each restart, each new pod), so this is not a stale copy in the pod: the Secret and the server disagree (a password rotated on one side only, or the wrong one stored). Put the server's current credentials in the Secret (or the Secret's in the server); restarting pods changes nothing`;
  const literal = (spec?.env ?? [])
    .filter((e) => e.value !== undefined && CREDENTIAL_NAME.test(e.name))
    .map((e) => e.name);
  return `${head}. They come from no Secret: ${literal.length > 0 ? `env ${literal.join(', ')} set as literal values in the pod spec` : 'the pod spec names none, so the image or a config file holds them'}; the server's credentials were changed without them. Restarting pods changes nothing`;
}
