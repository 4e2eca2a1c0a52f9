import { describe, expect, it } from 'vitest';
import { inotifyLimit, watchLimitReading } from '../../src/diagnosis/watch-limits.js';
import type { Pod } from '../../src/kube/reader.js';

const POD = { metadata: { name: 'indexer-0' }, spec: { nodeName: 'worker-3', containers: [] } } as unknown as Pod;

describe('inotify limits', () => {
  it("reads each runtime's words for the watch limit, which say ENOSPC", () => {
    for (const line of [
      "Error: ENOSPC: System limit for number of file watchers reached, watch '/data/assets/catalog'",
      'java.io.IOException: User limit of inotify watches reached',
      'OSError: inotify watch limit reached',
      'inotify_add_watch(/var/log/app) failed: No space left on device',
      'level=error msg="failed to add watch" error="no space left on device" via fsnotify',
      "tail: cannot watch '/var/log/app.log': No space left on device",
    ])
      expect(inotifyLimit(line), line).toBe('watches');
  });

  it('reads the instance limit, which says too many open files', () => {
    for (const line of [
      'System.IO.IOException: The configured user limit (128) on the number of inotify instances has been reached, or the per-process limit on the number of open file descriptors has been reached.',
      'java.io.IOException: User limit of inotify instances reached or too many open files',
      'failed to create fsnotify watcher: too many open files',
      'tail: inotify resources exhausted',
    ])
      expect(inotifyLimit(line), line).toBe('instances');
  });

  it('leaves a full disk and plain descriptor exhaustion alone', () => {
    expect(inotifyLimit('could not write to file "pg_wal/xlogtemp.29": No space left on device')).toBeNull();
    expect(inotifyLimit("Error: ENOSPC: no space left on device, write '/data/out.bin'")).toBeNull();
    expect(inotifyLimit('accept tcp [::]:8080: accept4: too many open files')).toBeNull();
    expect(watchLimitReading(POD, ['accept4: too many open files'])).toBeNull();
  });

  it("names the node's sysctl and says what the message is not", () => {
    const watches = watchLimitReading(POD, ['Error: ENOSPC: System limit for number of file watchers reached']);
    expect(watches).toContain('fs.inotify.max_user_watches on node worker-3');
    expect(watches).toContain('not a full disk');
    const instances = watchLimitReading(POD, ['failed to create fsnotify watcher: too many open files']);
    expect(instances).toContain('fs.inotify.max_user_instances on node worker-3');
    expect(instances).toContain('not the open-file limit');
  });
});
