/**
 * A container that never got to run its program: the runtime could not exec it (runc's "exec: \"geo\": executable
 * file not found in $PATH", a file that is missing or not executable: reason StartError, exit code 128, no log), or
 * the kernel refused the binary (the container log's "exec /app/server: exec format error": built for another CPU
 * architecture; "exec /entrypoint.sh: no such file or directory" for a file that is there: its interpreter is not).
 * Each is in the image or the manifest's command, so a new pod fails the same way. Pure.
 */

export interface StartFailure {
  /** What happened, in words, for "Container X keeps crashing (exit code N, …)". */
  meaning: string;
  /** What to change. */
  advice: string;
}

/** The kernel's refusal of a binary built for another architecture: the caller reads the node's arch only then. */
export const WRONG_ARCH = /exec format error/;

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
  const notFound = fromRuntime(/exec: "([^"]+)": executable file not found in \$PATH/);
  if (notFound) {
    return {
      meaning: `the runtime could not start it: "${notFound[1]}" is not in the image's PATH`,
      advice: `the manifest's command${quoted(command)} names a program the image does not have: correct the command or the image`,
    };
  }
  const missing = fromRuntime(/exec: "([^"]+)": stat \S+: no such file or directory/);
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
