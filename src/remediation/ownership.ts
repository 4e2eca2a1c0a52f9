/**
 * Which GitOps tool owns an object, read from what the tool itself writes on every object it applies. A live
 * patch to such an object is reverted at the tool's next sync (or fights it), so the change belongs in the
 * repository the tool syncs from. The keys, from each tool's docs and source:
 *
 * - Argo CD: the `argocd.argoproj.io/tracking-id` annotation (`<app>:<group>/<kind>:<namespace>/<name>`, the
 *   default tracking method since Argo CD 3.0, also written in `annotation+label` mode), or the tracking label
 *   its docs recommend when tracking by label, `argocd.argoproj.io/instance`. Argo CD's older default label,
 *   `app.kubernetes.io/instance`, is never evidence on its own: every Helm chart and many kustomizations write
 *   it too (the reason Argo CD moved to the annotation), and naming the wrong owner is worse than naming none.
 * - Flux: kustomize-controller labels what it applies `kustomize.toolkit.fluxcd.io/name|namespace`,
 *   helm-controller `helm.toolkit.fluxcd.io/name|namespace`.
 * - Helm: `helm install|upgrade` writes `meta.helm.sh/release-name|release-namespace` and the
 *   `app.kubernetes.io/managed-by: Helm` label on every object of a release. The label alone is not a release:
 *   chart templates write it too, so objects rendered by `helm template` (Argo CD renders charts that way) and
 *   objects a controller creates from a chart's template (claims from volumeClaimTemplates) carry it as well.
 *
 * When several apply, the tool that syncs wins: Argo CD rendering a chart leaves the chart's labels, Flux's
 * helm-controller installs through Helm and leaves Helm's annotations, but neither Helm release is what reverts
 * the change.
 */
import { stringify } from 'yaml';

export type OwnerTool = 'argocd' | 'flux' | 'helm';

export interface ObjectMetadata {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

export interface GitOpsOwner {
  tool: OwnerTool;
  /** The owner as a person names it: "Argo CD application shop-api", "Flux Kustomization apps/shop". */
  description: string;
  /** The label or annotation the owner was read from. */
  evidence: string;
  /** When the tool puts a live patch back, and where the change goes instead: one sentence. */
  advice: string;
}

export const ARGOCD_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const ARGOCD_INSTANCE_LABEL = 'argocd.argoproj.io/instance';
const FLUX_KUSTOMIZE = 'kustomize.toolkit.fluxcd.io';
const FLUX_HELM = 'helm.toolkit.fluxcd.io';
export const HELM_RELEASE_NAME = 'meta.helm.sh/release-name';
const HELM_RELEASE_NAMESPACE = 'meta.helm.sh/release-namespace';
const MANAGED_BY = 'app.kubernetes.io/managed-by';

/** Argo CD names an Application outside its own namespace `<namespace>_<name>` (apps in any namespace). */
function argoApplication(instance: string): string {
  const at = instance.indexOf('_');
  return at > 0 ? `${instance.slice(0, at)}/${instance.slice(at + 1)}` : instance;
}

function argoOwner(instance: string, evidence: string): GitOpsOwner {
  return {
    tool: 'argocd',
    description: `Argo CD application ${argoApplication(instance)}`,
    evidence,
    advice:
      "Its next sync reverts a live patch (at once with self-heal): commit the change to the application's source.",
  };
}

function qualified(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The tool that syncs `metadata`'s object, or null when none of them marked it. */
export function detectOwner(metadata: ObjectMetadata): GitOpsOwner | null {
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  const trackingId = annotations[ARGOCD_TRACKING_ID];
  const app = trackingId?.split(':')[0];
  if (app) {
    return argoOwner(app, ARGOCD_TRACKING_ID);
  }
  const instance = labels[ARGOCD_INSTANCE_LABEL];
  if (instance) return argoOwner(instance, ARGOCD_INSTANCE_LABEL);
  const release = labels[`${FLUX_HELM}/name`];
  if (release) {
    return {
      tool: 'flux',
      description: `Flux HelmRelease ${qualified(labels[`${FLUX_HELM}/namespace`], release)}`,
      evidence: `${FLUX_HELM}/name`,
      advice:
        'The next upgrade of the release puts the rendered values back (at once when its drift detection is on): set the change in the HelmRelease values in Git.',
    };
  }
  const kustomization = labels[`${FLUX_KUSTOMIZE}/name`];
  if (kustomization) {
    return {
      tool: 'flux',
      description: `Flux Kustomization ${qualified(labels[`${FLUX_KUSTOMIZE}/namespace`], kustomization)}`,
      evidence: `${FLUX_KUSTOMIZE}/name`,
      advice: 'Its next reconciliation reverts a live patch: commit the change to the source it applies.',
    };
  }
  const helmRelease = annotations[HELM_RELEASE_NAME];
  if (helmRelease) {
    const namespace = annotations[HELM_RELEASE_NAMESPACE];
    const managed = labels[MANAGED_BY] === 'Helm' ? ` and ${MANAGED_BY}: Helm` : '';
    return {
      tool: 'helm',
      description: `Helm release ${qualified(namespace, helmRelease)}`,
      evidence: `${HELM_RELEASE_NAME}${managed}`,
      advice: "The next helm upgrade puts the chart's rendering back: set the change in the release's values.",
    };
  }
  return null;
}

/** The change to commit: per object, a comment naming it and its owner, then the changed fields as YAML. */
export function manifestSnippet(
  edits: { edit: { kind: string; namespace?: string; name: string; fields: object }; owner: GitOpsOwner }[],
): string {
  return edits
    .map(({ edit, owner }) => {
      const where = edit.namespace ? `${edit.namespace}/${edit.name}` : edit.name;
      return `# ${edit.kind} ${where} (${owner.description})\n${stringify(edit.fields).trimEnd()}`;
    })
    .join('\n---\n');
}
