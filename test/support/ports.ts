/** Free TCP ports on 127.0.0.1 for private servers started by tests and benchmarks. */
import { createServer } from 'node:net';

/** Asks the kernel for a free port, then releases it so a child process can bind it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no TCP address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
