import { describe, expect, it } from 'vitest';
import { heapAgainstLimit, heapCap, heapExhausted } from '../../src/diagnosis/heap.js';
import type { Container } from '../../src/kube/reader.js';

const MI = 1024 * 1024;
const JAVA_HEAP = 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space';
const NODE_HEAP = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';

function container(extra: Partial<Container> = {}, limit = '2Gi'): Container {
  return { name: 'app', image: 'eclipse-temurin:21-jre', resources: { limits: { memory: limit } }, ...extra };
}
const env = (values: Record<string, string>) => Object.entries(values).map(([name, value]) => ({ name, value }));

describe("a runtime's own heap setting", () => {
  it('applies the JVM precedence: _JAVA_OPTIONS over the command line over JDK_JAVA_OPTIONS over JAVA_TOOL_OPTIONS', () => {
    const args = ['-Xmx1g', '-jar', 'app.jar'];
    expect(heapCap(container({ env: env({ JAVA_TOOL_OPTIONS: '-Xmx256m' }), args }))?.setting).toBe('-Xmx1g');
    expect(heapCap(container({ env: env({ JAVA_TOOL_OPTIONS: '-Xmx256m' }) }))).toMatchObject({
      setting: '-Xmx256m',
      source: 'env JAVA_TOOL_OPTIONS',
      bytes: 256 * MI,
    });
    expect(heapCap(container({ env: env({ _JAVA_OPTIONS: '-Xmx3G' }), args }))?.bytes).toBe(3 * 1024 * MI);
    expect(heapCap(container({ env: env({ ES_JAVA_OPTS: '-Xms512m -Xmx512m' }) }))?.source).toBe('env ES_JAVA_OPTS');
  });

  it('lets -Xmx win over MaxRAMPercentage wherever each is set, and reads the percentage alone', () => {
    const both = container({
      env: env({ JAVA_TOOL_OPTIONS: '-Xmx768m', JDK_JAVA_OPTIONS: '-XX:MaxRAMPercentage=80' }),
    });
    expect(heapCap(both)?.setting).toBe('-Xmx768m');
    expect(heapCap(container({ env: env({ JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=90.0' }) }))?.percent).toBe(90);
  });

  it("reads Node's --max-old-space-size from NODE_OPTIONS or the command line, and nothing from a plain container", () => {
    expect(heapCap(container({ env: env({ NODE_OPTIONS: '--max-old-space-size=4096' }) }))?.bytes).toBe(4096 * MI);
    expect(heapCap(container({ command: ['node', '--max_old_space_size=1024', 'server.js'] }))?.bytes).toBe(1024 * MI);
    expect(heapCap(container({ command: ['/app/server'] }))).toBeNull();
  });
});

describe('a crash on a full heap', () => {
  it('names the -Xmx that caps it far below the limit and says the memory limit is not the fix', () => {
    const words = heapExhausted(container({ env: env({ JAVA_OPTS: '-Xmx256m' }) }), [JAVA_HEAP]) ?? '';
    expect(words).toContain('-Xmx256m (env JAVA_OPTS) caps the heap at 256Mi');
    expect(words).toContain('Raising the memory limit alone changes nothing');
    expect(words).toContain('-Xmx1536m');
  });

  it("names the JVM's default quarter of the limit when nothing sets the heap", () => {
    const words = heapExhausted(container(), ['java.lang.OutOfMemoryError: GC overhead limit exceeded']) ?? '';
    expect(words).toContain('25% of the limit, 512Mi of 2Gi');
    expect(words).toContain('-XX:MaxRAMPercentage=75');
  });

  it('names a Node heap cap, or the missing one with a size for the limit', () => {
    const capped = container({ env: env({ NODE_OPTIONS: '--max-old-space-size=512' }) }, '3Gi');
    expect(heapExhausted(capped, [NODE_HEAP])).toContain('--max-old-space-size=512 (env NODE_OPTIONS) caps the heap');
    expect(heapExhausted(container({}, '4Gi'), [NODE_HEAP])).toContain('--max-old-space-size=3072');
  });

  it('says nothing without the runtime saying its heap is full', () => {
    expect(heapExhausted(container({ env: env({ JAVA_OPTS: '-Xmx256m' }) }), ['Connection refused'])).toBeNull();
  });
});

describe('an OOM kill against the heap setting', () => {
  it('needs the heap plus a third when a fixed heap does not fit the limit', () => {
    const reading = heapAgainstLimit(container({ args: ['-Xmx2g'] }), 2 * 1024 * MI);
    expect(reading?.text).toContain('-Xmx2g (the command line) is as large as the memory limit or larger (2Gi)');
    expect(reading?.neededBytes).toBe(3 * 1024 * MI);
  });

  it('names a heap percentage that leaves too little outside the heap, without a size', () => {
    const reading = heapAgainstLimit(
      container({ env: env({ JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=95' }) }),
      1024 * MI,
    );
    expect(reading?.text).toContain('take 95% of the memory limit');
    expect(reading?.neededBytes).toBeNull();
  });

  it('says nothing when the heap fits the limit, or without a limit', () => {
    expect(heapAgainstLimit(container({ args: ['-Xmx1g'] }), 2 * 1024 * MI)).toBeNull();
    expect(heapAgainstLimit(container({ args: ['-Xmx4g'] }), null)).toBeNull();
  });
});

describe('a JVM out of memory outside its heap', () => {
  it('names the Metaspace cap, or its absence, and never the heap', () => {
    const capped = container({ env: env({ JAVA_TOOL_OPTIONS: '-Xmx1g -XX:MaxMetaspaceSize=128m' }) });
    const words = heapExhausted(capped, ['java.lang.OutOfMemoryError: Metaspace']) ?? '';
    expect(words).toContain('-XX:MaxMetaspaceSize=128m caps the space for loaded classes');
    expect(words).not.toContain('-Xmx');
    expect(heapExhausted(container(), ['java.lang.OutOfMemoryError: Metaspace'])).toContain('class loader leak');
  });

  it('names direct buffer memory and its cap', () => {
    const words = heapExhausted(container({ args: ['-XX:MaxDirectMemorySize=256m'] }), [
      'io.netty.util.internal.OutOfDirectMemoryError: java.lang.OutOfMemoryError: Direct buffer memory',
    ]);
    expect(words).toContain('-XX:MaxDirectMemorySize=256m caps it');
  });
});
