/**
 * A container that never got to run its program: runc could not mount a subPath ("error mounting
 * \".../volume-subpaths/<volume>/<container>/<n>\" to rootfs at \"/etc/nginx/nginx.conf\": … not a directory … Are you
 * trying to mount a directory onto a file (or vice-versa)?": a subPath naming no key of its ConfigMap or Secret is
 * created as an empty directory), the runtime could not exec it (runc's "exec: \"geo\": executable
 * file not found in $PATH", a file that is missing or not executable: reason StartError, exit code 128, no log), or
 * the kernel refused the binary (the container log's "exec /app/server: exec format error": built for another CPU
 * architecture; "exec /entrypoint.sh: no such file or directory" for a file that is there: its interpreter is not).
 * Each is in the image or the manifest's command, so a new pod fails the same way. Pure.
 */

import type { Container, Pod } from '../kube/reader.js';

export interface StartFailure {
  /** What happened, in words, for "Container X keeps crashing (exit code N, …)". */
  meaning: string;
  /** What to change. */
  advice: string;
}

const SUBPATH_MOUNT =
  /error mounting "[^"]*\/volume-subpaths\/([^/"]+)\/[^"]*" to rootfs at "([^"]+)".*?(?:not a directory|is a directory|mount a directory onto a file)/;

/**
 * A subPath mount runc refused because a directory met a file: for a ConfigMap, Secret or projected volume, the
 * subPath names no key (the kubelet then creates it as an empty directory) while the image has a file there.
 */
export function subPathMountFailure(
  pod: Pod,
  container: Container | undefined,
  message: string | undefined,
): StartFailure | null {
  const m = SUBPATH_MOUNT.exec((message ?? '').replace(/\s+/g, ' '));
  if (!m) return null;
  const [, volumeName, target] = m;
  const mount =
    container?.volumeMounts?.find((x) => x.name === volumeName && x.mountPath === target) ??
    container?.volumeMounts?.find((x) => x.name === volumeName);
  const volume = pod.spec?.volumes?.find((v) => v.name === volumeName);
  const source = volume?.configMap?.name
    ? `ConfigMap ${volume.configMap.name}`
    : volume?.secret?.secretName
      ? `Secret ${volume.secret.secretName}`
      : volume?.projected
        ? 'its projected sources'
        : null;
  const subPath = mount?.subPath ?? '?';
  const meaning = `the runtime could not mount volume ${volumeName} (subPath ${subPath}) at ${target}: a directory met a file`;
  if (source) {
    const keys = volume?.configMap?.name
      ? ` (kubectl get configmap ${volume.configMap.name} -n ${pod.metadata?.namespace} -o jsonpath='{.data}' lists its keys)`
      : '';
    return {
      meaning,
      advice: `volume ${volumeName} projects ${source} and is mounted at ${target} with subPath ${subPath}: a subPath that names no key of ${source} is created as an empty directory, and a directory cannot be mounted onto the file the image has at ${target}. Set subPath to the key that holds the file, or add key ${subPath} to ${source}${keys}`,
    };
  }
  return {
    meaning,
    advice: `subPath ${subPath} of volume ${volumeName} and ${target} in the image are not the same kind (a directory and a file): mount a file onto a file and a directory onto a directory, or create the subPath as the kind the image expects`,
  };
}

/** The kernel's refusal of a binary built for another architecture: the caller reads the node's arch only then. */
export const WRONG_ARCH = /exec format error/;
/** A binary using CPU instructions its node's processor lacks: SIGILL, or the program's own check (MongoDB 5.0+). */
export const MISSING_CPU_FEATURE = /Illegal instruction|illegal hardware instruction|requires a CPU with \w+ support/i;

/**
 * The advice for a program killed by SIGILL or refusing the node's CPU: which feature it asks for (its own words,
 * "MongoDB 5.0+ requires a CPU with AVX support"), and whether the node's Node Feature Discovery labels
 * (feature.node.kubernetes.io/cpu-cpuid.<FEATURE>) show it. Null when the log shows neither.
 */
export function cpuFeatureFailure(
  logLines: readonly string[],
  node: { name: string; labels: Record<string, string> } | null,
): string | null {
  if (!logLines.some((l) => MISSING_CPU_FEATURE.test(l))) return null;
  const feature = logLines.map((l) => /requires a CPU with (\w+) support/i.exec(l)?.[1]).find(Boolean);
  const cpuid = Object.keys(node?.labels ?? {}).filter((k) => k.startsWith('feature.node.kubernetes.io/cpu-cpuid.'));
  const shown =
    node && feature && cpuid.length > 0
      ? ` (node ${node.name}'s Node Feature Discovery labels ${cpuid.some((k) => k.endsWith(`.${feature}`)) ? 'list' : 'do not list'} cpu-cpuid.${feature})`
      : '';
  const what = feature ? `${feature} instructions` : 'instructions (AVX, AVX2, SSE4.2 …)';
  return `the program uses CPU ${what} that the processor of ${node ? `node ${node.name}` : 'its node'} does not have${shown}, so the kernel kills it with SIGILL (exit 132) at the first one. Run it on nodes whose CPUs have them (a node selector on feature.node.kubernetes.io/cpu-cpuid.${feature ?? 'AVX'}=true with Node Feature Discovery, or a newer instance type; a VM's CPU model must pass the flags through), or use a build that does not need them; restarting on the same node changes nothing`;
}

/**
 * What the kubelet's refusal to create a container means (CreateContainerConfigError / CreateContainerError
 * messages that are not about a missing ConfigMap or Secret), or null: runAsNonRoot against an image that runs as
 * root or names its user, which the kubelet cannot check (pkg/kubelet/kuberuntime/security_context_others.go); a
 * node whose disk is full or whose runtime is too slow to create it.
 */
export function createErrorReading(message: string | undefined, node?: string): string | null {
  const said = message ?? '';
  const where = node ? `node ${node}` : 'its node';
  if (/no space left on device/i.test(said))
    return `the disk of ${where} that holds images and container files is full, so the container runtime cannot create the container (no space left on device): free it (unused images, container logs, emptyDir volumes) or move the pod; the pod spec is not at fault`;
  // containerd keeps creating a container after the kubelet's request timed out, under the same name; each retry of
  // the kubelet is refused until that first creation ends (containerd: `failed to reserve container name "…": name
  // "…" is reserved for "<id>"`).
  if (/failed to reserve container name .* is reserved for/i.test(said))
    return `the container runtime on ${where} is still creating the container from an earlier attempt that timed out, so it refuses the kubelet's retries under the same name ("is reserved for" that first attempt): a slow or saturated disk, or a runtime under load. It usually clears once that creation ends; if it lasts, look at the node's disk and containerd (its logs, its I/O) before the pod, whose spec is not at fault`;
  if (/context deadline exceeded/i.test(said))
    return `the container runtime on ${where} did not create the container in time (context deadline exceeded): a slow or saturated disk, or a runtime under load; look at the node before the pod`;
  if (/runAsNonRoot and image will run as root/.test(said))
    return 'the pod asks for runAsNonRoot and the image runs as root (its USER is 0 or unset): set securityContext.runAsUser to a non-zero UID the image works with, or build the image with a numeric non-root USER';
  const named = /runAsNonRoot and image has non-numeric user \(([^)]*)\)/.exec(said);
  if (named)
    return `the pod asks for runAsNonRoot and the image names its user (${named[1]}) instead of a UID, which the kubelet cannot check is not root: set securityContext.runAsUser to that user's numeric UID, or build the image with USER <uid>`;
  return null;
}

/** runc's refusal to start a program the image lacks: not on its PATH, or a path that does not exist. */
export const NOT_ON_PATH = /exec: "([^"]+)": executable file not found in \$PATH/;
export const NO_SUCH_PROGRAM = /exec: "([^"]+)": stat \S+: no such file or directory/;

const quoted = (command: readonly string[] | undefined) =>
  command && command.length > 0 ? ` ${JSON.stringify(command)}` : '';

/**
 * Why the container could not start, from the runtime's message (its last termination's `message`) and the telling
 * lines of its log; `arch` is its node's kubernetes.io/arch label. Null when neither shows a start failure.
 */
export function startFailure(
  reason: string | undefined,
  message: string | undefined,
  logLines: readonly string[],
  command: readonly string[] | undefined,
  arch: string | undefined,
): StartFailure | null {
  const said = (message ?? '').replace(/\s+/g, ' ').trim();
  const all = [said, ...logLines];
  const find = (re: RegExp) => all.map((l) => re.exec(l)).find((m) => m !== null) ?? null;
  // The runtime's own words are in the termination message; an app's log line about a subprocess it could not run
  // is not the container's start.
  const fromRuntime = (re: RegExp) => re.exec(said);
  // The kubelet kills a container whose postStart hook fails (reason PostStartHookError, exit 137 from the kill):
  // the hook, not the app, is what fails. Its message: "Exec lifecycle hook ([cmd]) for Container … failed - error:
  // command 'cmd' exited with N: output, message: …", or "HTTP lifecycle hook (path) … failed - error: …".
  if (reason === 'PostStartHookError') {
    const hook = /(Exec|HTTP) lifecycle hook \(([^)]*)\)/.exec(said);
    const failed = /failed - error: (.*?)(?:, message: .*)?$/.exec(said)?.[1]?.trim();
    const what = hook ? `${hook[1] === 'HTTP' ? 'HTTP GET' : 'command'} ${hook[2]}` : 'its hook';
    return {
      meaning: `killed by the kubelet because its postStart hook failed (${what}${failed ? `: ${failed}` : ''})`,
      advice: `fix the postStart hook of the container (lifecycle.postStart: ${what}) or remove it: the kubelet kills the container every time the hook fails, whatever the app does, and more memory, a restart or a new pod change nothing`,
    };
  }
  const notFound = fromRuntime(NOT_ON_PATH);
  if (notFound) {
    return {
      meaning: `the runtime could not start it: "${notFound[1]}" is not in the image's PATH`,
      advice: `the manifest's command${quoted(command)} names a program the image does not have: correct the command or the image`,
    };
  }
  const missing = fromRuntime(NO_SUCH_PROGRAM);
  if (missing) {
    return {
      meaning: `the runtime could not start it: "${missing[1]}" does not exist in the image`,
      advice: `correct the command${quoted(command)} or the image`,
    };
  }
  const denied = fromRuntime(/exec:? "?([^":\s]+)"?: permission denied/);
  if (denied) {
    return {
      meaning: `the runtime could not start it: "${denied[1]}" is not executable`,
      advice:
        'make the file executable when the image is built (chmod +x), or mount its volume without noexec (a ConfigMap volume needs defaultMode 0755 for a script)',
    };
  }
  if (find(WRONG_ARCH)) {
    return {
      meaning: `its program is built for another CPU architecture than its node's${arch ? ` (${arch})` : ''}: exec format error`,
      advice: `build or pull the image for ${arch ?? "the node's architecture"} (a multi-arch image), or schedule the pod on nodes of the image's architecture (a kubernetes.io/arch node selector)`,
    };
  }
  const noInterpreter = find(/\bexec (\S+): no such file or directory/);
  if (noInterpreter) {
    return {
      meaning: `"${noInterpreter[1]}" could not be run: it, or the interpreter it needs, is missing in the image`,
      advice:
        "check the script's #! line (and Windows line endings), or a binary linked against glibc in an Alpine (musl) image",
    };
  }
  if (reason === 'StartError' || reason === 'ContainerCannotRun') {
    const tail = said.split('unable to start container process: ').at(-1) || 'no message';
    return {
      meaning: `the runtime could not start it (${reason}: ${tail})`,
      advice: "the runtime's message says what in the image or the pod spec to change",
    };
  }
  return null;
}
