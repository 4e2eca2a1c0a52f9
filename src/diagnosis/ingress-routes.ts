/**
 * Alerts an ingress controller raises about a route rather than a pod: the Service behind the route is what they
 * are about.
 * - ingress-nginx counts requests per Ingress (`nginx_ingress_controller_requests{ingress, namespace, service, …}`);
 *   a rule aggregated `by (ingress, namespace)` keeps only the Ingress, whose rules name the backend Service.
 * - Traefik names its services `<namespace>-<service>-<port>@<provider>` (the Kubernetes Ingress provider
 *   `@kubernetes`, IngressRoutes `@kubernetescrd`; the port as the route wrote it, by name or number), with no
 *   namespace label of its own. Namespaces and names may hold dashes, so the split is read against the cluster:
 *   the Service of that namespace whose name and port spell the rest.
 * Only an unambiguous answer is used: an Ingress routing to several Services, or a Traefik name that fits none or
 * several, names nothing Medic looks at.
 */
import type { ClusterReader, Ingress, Service } from '../kube/reader.js';

type Labels = Record<string, string>;
type Read = <T>(query: Promise<T>, fallback: T) => Promise<T>;

/** A route an alert names (from its labels alone): an Ingress, or a Traefik service name. */
export type Route = IngressRoute | TraefikRoute;
type IngressRoute = { ingress: string; namespace: string };
type TraefikRoute = { traefik: string; provider: string };

const TRAEFIK_SERVICE = /^([a-z0-9]+(?:-[a-z0-9]+)+)@(kubernetes|kubernetescrd)$/;
/** Namespaces tried for one Traefik name: a name of more dashes than this is not read. */
const MAX_SPLITS = 6;

/** A Traefik service name in `value` (`shop-checkout-80@kubernetes`), if it is one. */
export function traefikRoute(value: string | undefined): TraefikRoute | null {
  const [, traefik, provider] = (value && TRAEFIK_SERVICE.exec(value)) || [];
  return traefik && provider ? { traefik, provider } : null;
}

/** The Ingress an alert names through ingress-nginx's `ingress` label (with its namespace), if any. */
export function ingressRoute(labels: Labels, namespace: string | undefined): IngressRoute | null {
  const ingress = labels.ingress;
  return ingress && namespace ? { ingress, namespace } : null;
}

export interface RoutedService {
  namespace: string;
  name: string;
  /** How the Service was found, for the evidence's first line. */
  via: string;
}

/** The one Service behind a route, or null when the route is not in the cluster or names none or several. */
export async function serviceOfRoute(
  reader: ClusterReader,
  route: Route,
  labels: Labels,
  read: Read,
): Promise<RoutedService | null> {
  if ('ingress' in route) {
    const ingress = await read(reader.getIngress(route.namespace, route.ingress), null);
    const names = ingress ? backendServices(ingress, labels) : [];
    const name = names.length === 1 ? names[0] : undefined;
    if (!name) return null;
    return {
      namespace: route.namespace,
      name,
      via: `The alert counts requests through Ingress ${route.namespace}/${route.ingress}, whose rules route them to Service ${route.namespace}/${name}, which Medic looks at.`,
    };
  }
  const found = await traefikService(reader, route.traefik, read);
  if (!found) return null;
  return {
    ...found,
    via: `The alert names Traefik's service ${route.traefik}@${route.provider}: Service ${found.namespace}/${found.name}, port ${found.port}, which Medic looks at.`,
  };
}

/**
 * The distinct Services an Ingress routes to; only those of the rule the alert names when it carries
 * ingress-nginx's `host` (and `path`) labels and a rule matches them.
 */
function backendServices(ingress: Ingress, labels: Labels): string[] {
  const paths = (ingress.spec?.rules ?? []).flatMap((rule) =>
    (rule.http?.paths ?? []).map((p) => ({
      host: rule.host ?? '',
      path: p.path ?? '',
      service: p.backend.service?.name,
    })),
  );
  const named = paths.filter((p) => labels.host === p.host && (labels.path === undefined || labels.path === p.path));
  const chosen = named.length > 0 ? named.map((p) => p.service) : paths.map((p) => p.service);
  const fallback = ingress.spec?.defaultBackend?.service?.name;
  const all = named.length > 0 ? chosen : [...chosen, fallback];
  return [...new Set(all.filter((s): s is string => !!s))];
}

/** The Service (and port) a Traefik name spells: `<namespace>-<name>-<port name or number>`, read per namespace. */
async function traefikService(
  reader: ClusterReader,
  name: string,
  read: Read,
): Promise<{ namespace: string; name: string; port: string } | null> {
  const parts = name.split('-');
  const found: { namespace: string; name: string; port: string }[] = [];
  for (let i = 1; i <= Math.min(parts.length - 2, MAX_SPLITS); i += 1) {
    const namespace = parts.slice(0, i).join('-');
    const rest = parts.slice(i).join('-');
    const services = await read(reader.listServices(namespace), [] as Service[]);
    for (const service of services) {
      const port = portSpelled(service, rest);
      if (port) found.push({ namespace, name: service.metadata?.name ?? '', port });
    }
  }
  return found.length === 1 ? (found[0] ?? null) : null;
}

/** The port of `service` that `rest` spells after its name (`checkout-80`, `checkout-http`), if any. */
function portSpelled(service: Service, rest: string): string | null {
  const name = service.metadata?.name;
  if (!name || !rest.startsWith(`${name}-`)) return null;
  const port = rest.slice(name.length + 1);
  const ports = service.spec?.ports ?? [];
  return ports.some((p) => p.name === port || String(p.port) === port) ? port : null;
}
