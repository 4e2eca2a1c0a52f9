/**
 * `medic demo --clusters 2` in a browser (Debian's Chromium): one Medic serving two sandbox clusters, threads from
 * both in the console, a fix approved in one cluster's thread landing in that cluster only, and the cluster panel
 * switching between the two.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDemo, startDemo } from '../../src/demo/run.js';

const CHROMIUM = '/usr/bin/chromium';
const limitKey = (cluster: string) => `[data-key="${cluster}:ads/Deployment/ad-server/ad-server/limit"]`;

let demo: RunningDemo;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  demo = await startDemo({ port: 0, redisUrl: process.env.REDIS_URL, logLevel: 'silent', clusters: 2 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/** The OOM_LIMIT diagnosis in the thread whose parent names `cluster`. */
function oomIn(cluster: string) {
  return page
    .locator('.conversation', { hasText: `in ${cluster} · ads` })
    .locator('[data-root-cause=OOM_LIMIT]')
    .first();
}

async function limitIn(cluster: string): Promise<string | null> {
  await page.locator(`.cluster-tab[data-cluster=${cluster}]`).click();
  return page.locator(limitKey(cluster)).getAttribute('data-value');
}

describe.skipIf(!existsSync(CHROMIUM))('medic demo --clusters 2 in the console', () => {
  it('shows the threads of both clusters, every alert diagnosed in its own', async () => {
    expect(demo.clusters.map((c) => c.name)).toEqual(['prod', 'staging']);
    const seen = await demo.diagnosed(60_000);
    expect(seen.threads).toBe(demo.groupCount);
    await page.goto(demo.consoleUrl);
    await oomIn('prod').waitFor({ timeout: 20_000 });
    await oomIn('staging').waitFor({ timeout: 20_000 });
    await expect(page.locator('.conversation').count()).resolves.toBe(demo.groupCount);
    await expect(page.locator('.cluster-tab').allTextContents()).resolves.toEqual(['prod', 'staging']);
  });

  it("runs a fix approved in staging's thread in staging only; the panel switches between the clusters", async () => {
    await page.selectOption('[data-testid=user-picker]', 'U0ALICE');
    expect(await limitIn('prod')).toBe('256Mi');
    expect(await limitIn('staging')).toBe('256Mi');
    await oomIn('staging').locator('button', { hasText: '512Mi' }).click();
    await expect
      .poll(() => page.locator(limitKey('staging')).getAttribute('data-value'), { timeout: 20_000 })
      .toBe('512Mi');
    await expect(page.locator('#cluster-title').textContent()).resolves.toBe('Cluster staging');
    expect(await limitIn('prod')).toBe('256Mi');
    await expect(page.locator('#cluster-title').textContent()).resolves.toBe('Cluster prod');
    await expect(page.locator(limitKey('staging')).count()).resolves.toBe(0);
    await expect(oomIn('prod').locator('button', { hasText: '512Mi' }).count()).resolves.toBe(1);
    await expect.poll(() => page.locator('#audit').textContent(), { timeout: 10_000 }).toMatch(/staging · ads/);
  });
});
