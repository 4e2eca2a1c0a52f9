/**
 * `npm run screenshot`: runs the demo, lets an approver raise the OOMKilled ad server's memory limit in the
 * console, and writes what the browser shows to docs/console.png (Debian's Chromium via playwright-core).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startDemo } from './run.js';

const OUTPUT = resolve(process.argv[2] ?? 'docs/console.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main(): Promise<void> {
  const demo = await startDemo({ port: 0, redisUrl: process.env.REDIS_URL, logLevel: 'silent' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const seen = await demo.diagnosed(30_000);
    if (seen.threads < demo.groupCount)
      throw new Error(`diagnoses in only ${seen.threads} of ${demo.groupCount} threads`);
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, deviceScaleFactor: 1 });
    await page.goto(demo.consoleUrl);
    await page.locator('[data-root-cause=OOM_LIMIT]').first().waitFor();
    await page.selectOption('[data-testid=user-picker]', 'U0ALICE');
    await page.locator('[data-root-cause=OOM_LIMIT] button', { hasText: '512Mi' }).first().click();
    const limit = page.locator('[data-key="ads/Deployment/ad-server/ad-server/limit"][data-value="512Mi"]');
    await limit.waitFor({ timeout: 15_000 });
    // Four threads fit on one screen when the three not acted on show their root causes folded.
    for (const code of ['SIDECAR_OOM_IDENTITY_CHURN', 'VOLUME_ATTACH_FAILURE', 'UNSAFE_ROLLOUT']) {
      await page
        .locator('.conversation', { has: page.locator(`[data-root-cause=${code}]`) })
        .locator('.thread-toggle')
        .click();
    }
    await page.locator('#messages').evaluate((el) => el.scrollTo(0, 0));
    // Let the chart images load before the picture is taken.
    // Runs in the page; this file's lib has no DOM types.
    await page.waitForFunction('[...document.images].every((img) => img.complete)');
    await mkdir(dirname(OUTPUT), { recursive: true });
    await page.screenshot({ path: OUTPUT });
    process.stdout.write(`wrote ${OUTPUT}\n`);
  } finally {
    await browser.close();
    await demo.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshot failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
