/**
 * IMAGE_PULL_FAILURE: containers waiting in ErrImagePull / ImagePullBackOff (or ImageInspectError: a name the runtime
 * cannot resolve); rolls back when a new revision brought the image.
 */
import { isDeepStrictEqual } from 'node:util';
import { isAboutPods, type Playbook } from '../src/diagnosis/playbook.js';
import { containersOf, eventEvidence, listNames, ofNamedContainer, podName } from '../src/diagnosis/pods.js';
import { type NotBroughtBy, revisionSentence, rollbackIfNewRevision } from '../src/diagnosis/rollout.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { PodSpec } from '../src/kube/reader.js';
import type { Evidence } from '../src/types.js';

const PULL_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'ImageInspectError',
]);

/**
 * An image name with its registry, as Docker and containerd read a name without one: `nginx:1.27` is
 * `docker.io/library/nginx:1.27`, `acme/app:2` is `docker.io/acme/app:2`; a first part with a dot or a port, or
 * `localhost`, is already a registry.
 */
export function fullyQualified(image: string): string {
  const [first, ...rest] = image.split('/');
  if (rest.length > 0 && (/[.:]/.test(first ?? '') || first === 'localhost')) return image;
  return rest.length === 0 ? `docker.io/library/${image}` : `docker.io/${image}`;
}

/**
 * CRI-O (containers/image) resolves a name without a registry only through the node's registries.conf: with no
 * unqualified-search registries it refuses it, and in short-name mode "enforcing" (CRI-O 1.34's default) it refuses
 * one that more than one search registry could serve. Docker and containerd read such a name as Docker Hub's, so the
 * same manifest works on one cluster and not on another. The kubelet reports it as ImageInspectError.
 */
const SHORT_NAME_REFUSED =
  /short-name "[^"]*" did not resolve to an alias|short name mode is enforcing, but image name \S+ returns ambiguous list|no registries configured while trying to pull an unqualified image/i;

/** A registry that fails every image alike: what to do instead of a rollback. */
const REGISTRY_ADVICE =
  'authenticate the pulls (imagePullSecrets), pull through a mirror or cache, or wait for the registry';

/**
 * What the pull error says; `registrySide`: the registry or the nodes' way to it failed (unreachable, rate limit, TLS
 * trust, a full image disk, the kubelet's pull throttle), not the image itself, and `advice` says what to do instead
 * of a rollback.
 */
function classify(
  text: string,
  node: string,
  imageName: string,
): { cause: string; registrySide: boolean; advice?: string } {
  const image = (cause: string) => ({ cause, registrySide: false });
  const registry = (cause: string, advice = REGISTRY_ADVICE) => ({ cause, registrySide: true, advice });
  // The node, not the image or the registry: containerd could not write the layers it downloaded, or the kubelet
  // throttled its own pulls. Any image fails alike there, the previous revision's too unless it is cached.
  if (/no space left on device/i.test(text))
    return registry(
      `the disk that holds node ${node}'s images is full, so the container runtime could not write the image's layers (no space left on device)`,
      `free the image filesystem of ${node} (the kubelet's image garbage collection starts at imageGCHighThresholdPercent; unused images, container logs and emptyDir volumes fill it too) or move the pod to another node`,
    );
  if (/pull QPS exceeded/i.test(text))
    return registry(
      `the kubelet on ${node} throttled its own pulls (pull QPS exceeded: its registryPullQPS and registryBurst, 5 and 10 by default)`,
      'the kubelet retries the pull; if many pods start on one node at once, raise registryPullQPS / registryBurst in its configuration or roll out fewer pods at a time',
    );
  // The kubelet refuses these before any pull: nothing reaches a registry.
  if (/invalid reference format|couldn't parse image|InvalidImageName/i.test(text))
    return image(
      'the image name is not a valid image reference (an empty tag, a stray character, upper case in the repository), so the kubelet does not even try to pull it: fix the image in the pod template',
    );
  if (SHORT_NAME_REFUSED.test(text)) {
    const ambiguous = /ambiguous list/i.test(text);
    return image(
      `the image name ${imageName} names no registry, and the container runtime of ${node} (CRI-O) ${
        ambiguous
          ? 'will not choose one of the several unqualified-search registries of its registries.conf (short-name mode enforcing, the default since CRI-O 1.34)'
          : 'has no unqualified-search registries in /etc/containers/registries.conf to look it up in'
      }: write the image fully qualified in the pod template (${fullyQualified(imageName)} if it comes from Docker Hub)`,
    );
  }
  if (/pull policy of Never|ErrImageNeverPull/i.test(text))
    return image(
      'its imagePullPolicy is Never and the image is not on the node, so the kubelet never pulls it: load the image onto every node that may run the pod, or set imagePullPolicy: IfNotPresent and push it to a registry',
    );
  // Before "unreachable": the registry answered, but the nodes' container runtime does not trust its certificate or
  // speaks HTTPS to a plain-HTTP registry. Pull secrets change neither.
  if (/x509|certificate|server gave HTTP response to HTTPS client/i.test(text)) {
    const plain = /server gave HTTP response to HTTPS client/i.test(text);
    return registry(
      plain
        ? 'the registry speaks plain HTTP and the container runtime asks for HTTPS'
        : "the nodes' container runtime does not trust the registry's TLS certificate",
      plain
        ? 'serve the registry over HTTPS, or declare it as a plain-HTTP registry in the container runtime of every node (containerd: /etc/containerd/certs.d/<host>/hosts.toml); imagePullSecrets do not change this'
        : "add the CA that signed the registry's certificate to the container runtime of every node (containerd: /etc/containerd/certs.d/<host>/hosts.toml, or the node's trust store), or give the registry a certificate the nodes trust; imagePullSecrets do not change TLS trust",
    );
  }
  // Before NotFound: containerd answers an image without a build for the node's platform with a gRPC NotFound too
  // ("no match for platform in manifest: not found"; Docker: "no matching manifest for linux/arm64 …").
  if (/no match for platform in manifest|no matching manifest for/i.test(text)) {
    return image(
      "the image exists but has no build for the node's platform (OS and CPU architecture): push a build for it (a multi-arch image), or run the pod on nodes of the platform it was built for",
    );
  }
  // containerd's gRPC NotFound and a registry's "manifest unknown" are certain; status codes only as whole words
  // (registry hosts such as ECR account ids contain digit runs like 401).
  if (/code = NotFound|manifest unknown/i.test(text)) return image('the image or tag does not exist in the registry');
  // Before the credentials: Docker Hub's rate-limit message asks to authenticate, and its 429 is no refusal.
  if (/toomanyrequests|rate limit|\b429\b/i.test(text)) return registry('the registry rate-limited the pulls');
  if (/unauthorized|authorization|access denied|forbidden|\b40[13]\b|no basic auth/i.test(text)) {
    return image('the registry refused the credentials (check imagePullSecrets and the repository path)');
  }
  if (/not found|does not exist|\b404\b/i.test(text)) return image('the image or tag does not exist in the registry');
  if (/no such host/i.test(text))
    return registry(
      "the nodes cannot resolve the registry's host name",
      "check the registry host in the image name and the nodes' DNS (the kubelet resolves it on the node, not in the cluster DNS)",
    );
  if (/timeout|i\/o|dial tcp|connection refused|TLS/i.test(text)) return registry('the registry could not be reached');
  return image('the image could not be pulled');
}

/** Who a pod pulls its images as: its service account (whose imagePullSecrets apply too) and its own pull secrets. */
const pullCredentials = (spec: PodSpec) => ({
  serviceAccount: spec.serviceAccountName ?? spec.serviceAccount ?? 'default',
  secrets: (spec.imagePullSecrets ?? []).map((r) => r.name ?? '').sort(),
});

/**
 * A revision did not bring a pull failure of `image` when the previous revision has the same image, pulled with the
 * same credentials: its pods run copies pulled earlier (cached on their nodes), and going back would pull it again.
 */
const sameImageAndCredentials =
  (image: string): NotBroughtBy =>
  (previous, newest) => {
    const before = [...(previous.containers ?? []), ...(previous.initContainers ?? [])].map((c) => c.image);
    const creds = pullCredentials(previous);
    if (!before.includes(image) || !isDeepStrictEqual(creds, pullCredentials(newest))) return null;
    const secrets = creds.secrets.length > 0 ? `imagePullSecrets ${creds.secrets.join(', ')}` : 'no imagePullSecrets';
    return `the previous revision has the same image ${image}, pulled with the same credentials (service account ${creds.serviceAccount}, ${secrets}): its pods run copies pulled earlier`;
  };

export const imagePull: Playbook = {
  name: 'image-pull',
  rootCauses: ['IMAGE_PULL_FAILURE'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!isAboutPods(target)) return null;
    const failing = ofNamedContainer(
      target.pods.flatMap((pod) =>
        containersOf(pod).filter((v) => PULL_REASONS.has(v.status.state?.waiting?.reason ?? '')),
      ),
      target.container,
      (v) => v.status.name,
    );
    const focus = failing[0];
    if (!focus) return null;
    const image = focus.spec?.image ?? focus.status.image ?? '?';
    const pod = focus.pod;
    const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
    const pullErrors = events.filter(
      (e) =>
        (e.reason === 'Failed' || e.reason === 'InspectFailed') &&
        /pull|image/i.test(e.message ?? '') &&
        !/^Error: /.test(e.message ?? ''),
    );
    const waiting = focus.status.state?.waiting;
    const errorText = pullErrors.at(-1)?.message ?? waiting?.message ?? waiting?.reason ?? '';
    const pods = [...new Set(failing.map((v) => podName(v.pod)))];
    const evidence: Evidence[] = [
      {
        kind: 'status',
        text: `Container ${focus.status.name} in ${listNames(pods, 5)} is ${focus.status.state?.waiting?.reason} for image ${image}`,
      },
      ...pullErrors.slice(-2).map(eventEvidence),
    ];
    if (pullErrors.length === 0 && errorText) evidence.push({ kind: 'status', text: `Pull error: ${errorText}` });
    const workload = target.workload ?? (await ctx.read(ctx.reader.workloadOf(pod), null));
    const rollback = await rollbackIfNewRevision(
      ctx,
      workload,
      failing.map((v) => v.pod),
      sameImageAndCredentials(image),
    );
    evidence.push(...rollback.evidence);
    const { cause, registrySide, advice } = classify(
      errorText || (waiting?.reason ?? ''),
      pod.spec?.nodeName ?? 'its node',
      image,
    );
    // A registry that is down or rate-limiting, or a node that cannot store or may not pull images, fails every image
    // alike: rolling back to an image that is only cached on some nodes would not be the fix, and would undo a
    // release that did nothing wrong.
    const action = registrySide ? null : rollback.action;
    const next = registrySide
      ? ` The image itself is not at fault, so no rollback is proposed: ${advice ?? REGISTRY_ADVICE}.`
      : action
        ? ` It came with the newest revision: roll back to ${rollback.previous}.`
        : revisionSentence(rollback);
    const summary = `Image ${image} cannot be pulled: ${cause}.${next}`;
    return {
      rootCause: { code: 'IMAGE_PULL_FAILURE', summary, confidence: 'high' },
      evidence,
      actions: action ? [action] : [],
    };
  },
};
