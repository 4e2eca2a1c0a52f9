/**
 * The heap a managed runtime sets itself inside the container's memory limit, read from the container's env,
 * command and args (never from a ConfigMap or Secret it refers to):
 * - the JVM: `-Xmx` (last one wins; `_JAVA_OPTIONS` over the command line over `JDK_JAVA_OPTIONS` over
 *   `JAVA_TOOL_OPTIONS`, and variables such as JAVA_OPTS or ES_JAVA_OPTS that start scripts put on the command line),
 *   else `-XX:MaxRAMPercentage`, else its default of a quarter of the memory limit;
 * - Node.js: `--max-old-space-size` (MiB), in NODE_OPTIONS or on the command line.
 * The JVM's memory outside the heap has caps of its own: Metaspace (-XX:MaxMetaspaceSize) and direct buffers
 * (-XX:MaxDirectMemorySize, by default as large as the heap).
 * Two readings use it: a crash whose log says the heap (or one of those spaces) is full ("Java heap space", "JavaScript heap out of memory"),
 * where the memory limit was not hit and raising it does not help; and an OOM kill of a JVM whose heap may grow past
 * the limit, where the limit must hold the heap plus the JVM's memory outside it. Pure.
 */
import type { Container } from '../kube/reader.js';
import { formatMemory, parseQuantity, roundUpMemoryMi } from '../quantity.js';
import { commandLine } from './pods.js';

const MI = 1024 * 1024;
/** The JVM's default MaxRAMPercentage since JDK 10 (and 8u191): the heap may take a quarter of the memory limit. */
const JVM_DEFAULT_PERCENT = 25;
/** A heap should leave a quarter of the limit to the runtime's other memory (metaspace, threads, buffers, GC). */
const HEAP_SHARE = 0.75;

const JAVA_HEAP_FULL = /java\.lang\.OutOfMemoryError: (Java heap space|GC overhead limit exceeded)/;
const NODE_HEAP_FULL = /JavaScript heap out of memory/;

/** Env variables whose value the JVM or a start script passes as JVM options, in the order the JVM applies them. */
const JVM_ENV_ORDER = ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '*', '_JAVA_OPTIONS'];

export interface HeapCap {
  runtime: 'JVM' | 'Node.js';
  /** The option as written (`-Xmx4g`, `-XX:MaxRAMPercentage=90`, `--max-old-space-size=1536`). */
  setting: string;
  /** Where it is set: `env JAVA_TOOL_OPTIONS`, `the command line`. */
  source: string;
  /** A fixed heap size, when the option gives one. */
  bytes: number | null;
  /** A share of the memory limit, when the option gives one. */
  percent: number | null;
}

/** `-Xmx` sizes: a number with an optional k/m/g/t suffix (binary units), bytes without. */
function jvmSize(text: string): number | null {
  const m = /^(\d+)([kmgt])?$/i.exec(text);
  if (!m) return null;
  const power = { k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? '').toLowerCase() as 'k'] ?? 0;
  return Number(m[1]) * 1024 ** power;
}

/** The last heap option in one source's text. */
function jvmOption(text: string, source: string): HeapCap | null {
  let found: HeapCap | null = null;
  for (const m of text.matchAll(/-Xmx(\S+)|-XX:MaxRAMPercentage=([\d.]+)/g)) {
    if (m[1] !== undefined) {
      const bytes = jvmSize(m[1]);
      if (bytes !== null) found = { runtime: 'JVM', setting: m[0], source, bytes, percent: null };
    } else if (found?.bytes == null) {
      // -Xmx wins over MaxRAMPercentage wherever each is set.
      found = { runtime: 'JVM', setting: m[0], source, bytes: null, percent: Number(m[2]) };
    }
  }
  return found;
}

function envValues(container: Container | undefined): Map<string, string> {
  const values = new Map<string, string>();
  for (const e of container?.env ?? []) if (typeof e.value === 'string') values.set(e.name, e.value);
  return values;
}

/** The JVM heap option that applies, by the JVM's precedence; null when none is set in the spec. */
function jvmCap(container: Container): HeapCap | null {
  const env = envValues(container);
  let cap: HeapCap | null = null;
  const apply = (next: HeapCap | null) => {
    if (next && (next.bytes !== null || cap?.bytes == null)) cap = next;
  };
  for (const slot of JVM_ENV_ORDER) {
    if (slot !== '*') {
      const value = env.get(slot);
      if (value) apply(jvmOption(value, `env ${slot}`));
      continue;
    }
    for (const [name, value] of env) {
      if (!JVM_ENV_ORDER.includes(name)) apply(jvmOption(value, `env ${name}`));
    }
    apply(jvmOption(commandLine(container), 'the command line'));
  }
  return cap;
}

function nodeCap(container: Container): HeapCap | null {
  const sources: [string, string][] = [
    ['env NODE_OPTIONS', envValues(container).get('NODE_OPTIONS') ?? ''],
    ['the command line', commandLine(container)],
  ];
  let cap: HeapCap | null = null;
  for (const [source, text] of sources) {
    for (const m of text.matchAll(/--max[-_]old[-_]space[-_]size[= ](\d+)/g)) {
      cap = { runtime: 'Node.js', setting: m[0], source, bytes: Number(m[1]) * MI, percent: null };
    }
  }
  return cap;
}

/** The heap option the container's spec sets for its runtime, if any. */
export function heapCap(container: Container | undefined): HeapCap | null {
  if (!container) return null;
  return jvmCap(container) ?? nodeCap(container);
}

const limitOf = (container: Container | undefined) => parseQuantity(container?.resources?.limits?.memory);

/** A heap size to set for a memory limit: three quarters of it, in MiB. */
const heapFor = (limitBytes: number) => Math.floor((limitBytes * HEAP_SHARE) / MI);

const JAVA_SPACE_FULL = /java\.lang\.OutOfMemoryError: (Metaspace|Compressed class space|Direct buffer memory)/;

/** The last value of a JVM -XX option in the container's env values and command line. */
function jvmFlag(container: Container | undefined, flag: string): string | null {
  const texts = [...envValues(container).values(), commandLine(container)];
  let value: string | null = null;
  for (const text of texts) for (const m of text.matchAll(new RegExp(`-XX:${flag}=(\\S+)`, 'g'))) value = m[1] ?? value;
  return value;
}

/** A JVM out of Metaspace or direct buffer memory: the cap that applies, and what to change. */
function jvmSpaceExhausted(container: Container | undefined, line: string): string {
  const space = JAVA_SPACE_FULL.exec(line)?.[1] ?? 'Metaspace';
  const stopped = `the JVM in ${container?.name ?? 'the container'} ran out of ${space === 'Direct buffer memory' ? 'direct buffer memory' : space} ("OutOfMemoryError: ${space}"), outside its heap`;
  if (space === 'Direct buffer memory') {
    const cap = jvmFlag(container, 'MaxDirectMemorySize');
    return `${stopped}: ${cap ? `-XX:MaxDirectMemorySize=${cap} caps it` : 'with no -XX:MaxDirectMemorySize it may grow as large as the heap'}. Buffers that are not released (a Netty or NIO client under load) fill it; raise the cap only with the memory limit beside it, since the buffers count against the limit`;
  }
  const cap = jvmFlag(container, 'MaxMetaspaceSize');
  return `${stopped}: ${cap ? `-XX:MaxMetaspaceSize=${cap} caps the space for loaded classes; raise it` : 'no -XX:MaxMetaspaceSize caps it, so the classes loaded keep growing: a class loader leak (redeploys inside the JVM, generated proxies) or far more classes than expected'}; the heap settings and the memory limit are not what ran out`;
}

/**
 * A crash whose log says the runtime's heap is full: what caps the heap and what to change. Null when the log shows
 * no full heap. The memory limit was not what stopped it (that would be an OOM kill), so raising it alone does not help.
 */
export function heapExhausted(container: Container | undefined, logLines: readonly string[]): string | null {
  const spaceLine = logLines.find((l) => JAVA_SPACE_FULL.test(l));
  if (spaceLine) return jvmSpaceExhausted(container, spaceLine);
  const javaLine = logLines.find((l) => JAVA_HEAP_FULL.test(l));
  const nodeLine = javaLine ? undefined : logLines.find((l) => NODE_HEAP_FULL.test(l));
  if (!javaLine && !nodeLine) return null;
  const limit = limitOf(container);
  const limitWords =
    limit === null ? 'the container has no memory limit' : `its memory limit is ${formatMemory(limit)}`;
  const cap = heapCap(container);
  const name = container?.name ?? 'the container';
  if (javaLine) {
    const what = JAVA_HEAP_FULL.exec(javaLine)?.[1] ?? 'Java heap space';
    const stopped = `the JVM in ${name} ran out of heap ("${what}"), not out of its memory limit`;
    if (cap?.runtime === 'JVM' && cap.bytes !== null) {
      const raise =
        limit !== null && cap.bytes < limit * HEAP_SHARE
          ? `raise it toward -Xmx${heapFor(limit)}m`
          : 'raise it (and the memory limit with it, by about a third more than the heap)';
      return `${stopped}: ${cap.setting} (${cap.source}) caps the heap at ${formatMemory(cap.bytes)} and ${limitWords}. Raising the memory limit alone changes nothing; ${raise}, or find what fills the heap (a heap dump: -XX:+HeapDumpOnOutOfMemoryError)`;
    }
    const percent = cap?.runtime === 'JVM' && cap.percent !== null ? cap.percent : JVM_DEFAULT_PERCENT;
    const setBy =
      cap?.runtime === 'JVM'
        ? `${cap.setting} (${cap.source})`
        : "no -Xmx or -XX:MaxRAMPercentage is set, so the JVM's default";
    const share =
      limit === null
        ? `${percent}% of the node's memory`
        : `${percent}% of the limit, ${formatMemory((limit * percent) / 100)} of ${formatMemory(limit)}`;
    const advice =
      percent < HEAP_SHARE * 100
        ? `Set -XX:MaxRAMPercentage=75 (in JAVA_TOOL_OPTIONS) so the heap can use most of the limit; a higher memory limit alone gives the heap only ${percent}% of the raise`
        : 'The heap already takes most of the limit: raise the memory limit (the heap follows it), or find what fills the heap (a heap dump: -XX:+HeapDumpOnOutOfMemoryError)';
    return `${stopped}: ${setBy} gives the heap ${share}. ${advice}`;
  }
  const stopped = `Node.js in ${name} ran out of heap ("JavaScript heap out of memory"), not out of its memory limit`;
  if (cap?.runtime === 'Node.js' && cap.bytes !== null) {
    const raise =
      limit !== null && cap.bytes < limit * HEAP_SHARE
        ? `raise it toward --max-old-space-size=${heapFor(limit)}`
        : 'raise it (and the memory limit with it)';
    return `${stopped}: ${cap.setting} (${cap.source}) caps the heap at ${formatMemory(cap.bytes)} and ${limitWords}. Raising the memory limit alone changes nothing; ${raise}, or find what fills the heap`;
  }
  const advice =
    limit === null
      ? 'Set --max-old-space-size (MiB, in NODE_OPTIONS) to what the app needs, and a memory limit above it'
      : `Set --max-old-space-size=${heapFor(limit)} (MiB, in NODE_OPTIONS), three quarters of the ${formatMemory(limit)} limit`;
  return `${stopped}: no --max-old-space-size is set, so V8 sizes the heap itself from the memory it sees, not to ${limit === null ? "the node's memory" : 'the container limit'}. ${advice}`;
}

/** What an OOM-killed container's runtime heap means for its memory limit. */
export interface HeapLimitReading {
  /** Evidence line: the heap option against the limit. */
  text: string;
  /** The same in a few words, for a summary. */
  headline: string;
  /** The smallest limit that holds the heap and the runtime's other memory, when the heap is a fixed size. */
  neededBytes: number | null;
}

/**
 * For a container killed by its memory limit: a fixed heap that with the runtime's other memory does not fit the
 * limit (the kernel kills the process before its garbage collector has to work), or a heap share that leaves too
 * little outside it. Null when the spec sets no heap or one that fits.
 */
export function heapAgainstLimit(container: Container | undefined, limitBytes: number | null): HeapLimitReading | null {
  const cap = heapCap(container);
  if (!cap || limitBytes === null) return null;
  if (cap.bytes !== null) {
    const neededBytes = roundUpMemoryMi(cap.bytes / HEAP_SHARE / MI) * MI;
    if (neededBytes <= limitBytes) return null;
    const relation =
      cap.bytes >= limitBytes ? 'is as large as the memory limit or larger' : 'leaves too little of the memory limit';
    return {
      text: `${cap.runtime} heap ${cap.setting} (${cap.source}) ${relation} (${formatMemory(limitBytes)}): the heap grows until the kernel kills the process, before the garbage collector has to free anything. The limit must hold the heap plus about a third more for the runtime's other memory (${formatMemory(neededBytes)}), or the heap must shrink to about ${heapFor(limitBytes)} MiB`,
      headline: `The ${cap.runtime} heap (${cap.setting}) does not fit the ${formatMemory(limitBytes)} limit with the runtime's other memory.`,
      neededBytes,
    };
  }
  if (cap.percent !== null && cap.percent > HEAP_SHARE * 100) {
    return {
      text: `JVM heap ${cap.setting} (${cap.source}) lets the heap take ${cap.percent}% of the memory limit, leaving ${formatMemory((limitBytes * (100 - cap.percent)) / 100)} for metaspace, threads and buffers: a higher limit raises the heap with it; lower the percentage to 75`,
      headline: `The JVM heap may take ${cap.percent}% of the limit (${cap.setting}), too little is left outside it.`,
      neededBytes: null,
    };
  }
  return null;
}
