/**
 * Why the API server could not call an admission webhook, from the error it reports ("failed calling webhook "x":
 * failed to call webhook: Post "https://svc.ns.svc:443/path?timeout=3s": …"), and what to change:
 * - "no endpoints available for service": the webhook's pods are gone or unready;
 * - a timeout (context deadline exceeded, Client.Timeout, i/o timeout) or "connection refused": the API server does
 *   not get through to the pods. On a private cluster (GKE private clusters, EKS with restrictive security groups)
 *   the control plane may reach the nodes only on 443 and 10250, so a webhook serving on another port (Gatekeeper's
 *   8443, many operators' 9443) times out until a firewall rule opens that port from the control plane. The port is
 *   the Service's targetPort, resolved through its pods when it is named (one Service GET, one pod list);
 * - an x509 error: the caBundle of the webhook configuration does not match the certificate its pods serve.
 */
import { labelSelectorString, type Service } from '../kube/reader.js';
import type { PlaybookContext } from './playbook.js';
import { portNumber } from './pods.js';
import { serviceOfHost } from './service-hosts.js';

/** The URL the API server called, as its error quotes it: `Post "https://name.ns.svc:443/validate?timeout=10s"`. */
const CALLED_URL = /https:\/\/([^/:\s"]+)(?::(\d+))?\//;

/** The port the webhook's pods serve on: the Service's targetPort for the called port, a name resolved through a pod. */
async function servedPort(ctx: PlaybookContext, svc: Service, called: number): Promise<number | null> {
  const port = svc.spec?.ports?.find((p) => p.port === called) ?? svc.spec?.ports?.[0];
  const target = port?.targetPort ?? port?.port;
  const known = portNumber(target, []);
  const selector = labelSelectorString(svc.spec?.selector ?? {});
  if (known !== null || target === undefined || !selector) return known;
  const [pod] = await ctx.read(ctx.reader.listPods(svc.metadata?.namespace ?? 'default', selector), []);
  return portNumber(target, pod?.spec?.containers ?? []);
}

/** What to change for a webhook the API server cannot call, from its error; the generic advice when none applies. */
export async function webhookCallFix(ctx: PlaybookContext, error: string): Promise<string> {
  const generic =
    "Bring the webhook's service back (its pods and endpoints); if that takes long, set failurePolicy to Ignore in its webhook configuration or narrow what it intercepts.";
  if (/x509|certificate/i.test(error))
    return "The API server does not trust the certificate the webhook's pods serve: the caBundle in its webhook configuration does not match their serving certificate (a rotated certificate, a CA injector that did not run). Correct the caBundle or reissue the certificate; restarting the webhook's pods does not change the configuration.";
  if (!/deadline exceeded|Client\.Timeout|i\/o timeout|connection refused/i.test(error)) return generic;
  const url = CALLED_URL.exec(error);
  const named = url?.[1] ? serviceOfHost(url[1]) : null;
  const svc = named ? await ctx.read(ctx.reader.getService(named.namespace, named.name), null) : null;
  const port = svc ? await servedPort(ctx, svc, Number(url?.[2] ?? 443)) : null;
  const where = svc && named ? `Service ${named.namespace}/${named.name}` : "the webhook's Service";
  const on = port !== null ? ` on port ${port}` : '';
  return `The API server does not get through to the pods behind ${where}${on}: if they are running and ready, the path from the control plane to the nodes is closed${on}. On a private cluster (GKE private clusters, EKS with restrictive security groups) the control plane reaches the nodes only on 443 and 10250 by default: add a firewall rule from the control plane's range to the nodes${port !== null ? ` for TCP ${port}` : " for the webhook's port"}, or serve the webhook on 443 or 10250. If the pods are not ready, bring them back; meanwhile, failurePolicy Ignore in its webhook configuration lets pods through.`;
}
