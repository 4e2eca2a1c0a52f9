/**
 * A container that fails because the Kubernetes API refuses it, read from its log and its pod spec:
 * - the API server's authorization denial (k8s.io/apiserver responsewriters.forbiddenMessage, wrapped by
 *   apierrors.NewForbidden): `configmaps "app-routing-config" is forbidden: User "system:serviceaccount:shop:web"
 *   cannot get resource "configmaps" in API group "" in the namespace "shop"` (or `at the cluster scope`, or
 *   `cannot get path "/metrics"`), as kubectl, client-go and the other clients print it; the user is the pod's
 *   service account, which no Role or ClusterRole bound to it lets do that;
 * - `system:anonymous`, or the token file missing: the pod runs with automountServiceAccountToken: false.
 * RBAC is outside the pod, so a new pod is refused the same way; what to grant is said, with the `kubectl auth
 * can-i` line that checks it. Pure.
 */
import type { Pod } from '../kube/reader.js';

// Quotes may come JSON-escaped (a structured log line carrying the error as a string).
const Q = String.raw`\\?"`;
const FORBIDDEN = new RegExp(
  `User ${Q}([^"\\\\]+)${Q} cannot (\\S+) (?:resource ${Q}([^"\\\\]+)${Q} in API group ${Q}([^"\\\\]*)${Q} (?:in the namespace ${Q}([^"\\\\]+)${Q}|at the cluster scope)|path ${Q}([^"\\\\]+)${Q})`,
);
const TOKEN_FILE = /\/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token/;

export interface ApiDenial {
  user: string;
  verb: string;
  /** `configmaps`, `pods/log`; null for a non-resource path. */
  resource: string | null;
  group: string;
  /** null at the cluster scope. */
  namespace: string | null;
  path: string | null;
}

/** The first authorization denial among the log lines, or null. */
export function apiDenial(lines: readonly string[]): ApiDenial | null {
  for (const line of lines) {
    const m = FORBIDDEN.exec(line);
    if (m)
      return {
        user: m[1] ?? '',
        verb: m[2] ?? '',
        resource: m[3] ?? null,
        group: m[4] ?? '',
        namespace: m[5] ?? null,
        path: m[6] ?? null,
      };
  }
  return null;
}

/** `kubectl auth can-i` for the denial, as the service account. */
function canI(d: ApiDenial): string {
  if (d.path) return `kubectl auth can-i ${d.verb} ${d.path} --as=${d.user}`;
  const [resource, subresource] = (d.resource ?? '').split('/');
  const type = d.group ? `${resource}.${d.group}` : resource;
  return `kubectl auth can-i ${d.verb} ${type}${subresource ? ` --subresource=${subresource}` : ''}${d.namespace ? ` -n ${d.namespace}` : ''} --as=${d.user}`;
}

/** What the API refuses the pod and what to grant; null when the log shows no refusal. */
export function apiPermission(pod: Pod, logLines: readonly string[]): string | null {
  const automount = pod.spec?.automountServiceAccountToken;
  const account = pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? 'default';
  const namespace = pod.metadata?.namespace ?? 'default';
  const denial = apiDenial(logLines);
  if (!denial) {
    if (automount === false && logLines.some((l) => TOKEN_FILE.test(l)))
      return `the app reads the service account token, but the pod sets automountServiceAccountToken: false, so no token is mounted. Set it to true in the pod template (or mount a projected serviceAccountToken volume)`;
    return null;
  }
  const what = denial.path
    ? `${denial.verb} path ${denial.path}`
    : `${denial.verb} ${denial.resource}${denial.group ? ` (API group ${denial.group})` : ''} ${denial.namespace ? `in namespace ${denial.namespace}` : 'at the cluster scope'}`;
  if (denial.user === 'system:anonymous') {
    const why =
      automount === false
        ? 'the pod sets automountServiceAccountToken: false, so no token is mounted'
        : 'the app sends no service account token';
    return `the Kubernetes API refuses the app as system:anonymous (${what}): ${why}`;
  }
  const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(denial.user);
  const whose = sa
    ? `service account ${sa[1]}/${sa[2]}${sa[1] === namespace && sa[2] === account ? ` (the pod's${pod.spec?.serviceAccountName ? ' serviceAccountName' : ': it sets no serviceAccountName, so the namespace default'})` : ` (the pod runs as ${namespace}/${account})`}`
    : `user ${denial.user}`;
  const grant = denial.path
    ? 'a ClusterRole with that nonResourceURL and verb, bound with a ClusterRoleBinding'
    : denial.namespace
      ? `a Role in ${denial.namespace} (or a ClusterRole) with that verb and resource, bound to it with a RoleBinding in ${denial.namespace}`
      : 'a ClusterRole with that verb and resource, bound to it with a ClusterRoleBinding';
  return `the Kubernetes API refuses ${whose} to ${what}: no Role or ClusterRole bound to it allows that, and a new pod is refused the same way. Grant it with ${grant}, then check with ${canI(denial)}`;
}
