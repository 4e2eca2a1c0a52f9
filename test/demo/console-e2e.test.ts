/**
 * The whole demo in a browser: Debian's Chromium driven by playwright-core (never a downloaded browser)
 * against `startDemo`, i.e. the real webhook, queues, playbooks, Slack client, Bolt, approvals and
 * remediation, with the sandbox cluster and the Slack simulator around them.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDemo, startDemo } from '../../src/demo/run.js';

const CHROMIUM = '/usr/bin/chromium';
const CODES = ['OOM_LIMIT', 'SIDECAR_OOM_IDENTITY_CHURN', 'VOLUME_ATTACH_FAILURE', 'UNSAFE_ROLLOUT', 'HPA_MAXED_OUT'];
const AD_SERVER_LIMIT = '[data-key="ads/Deployment/ad-server/ad-server/limit"]';
const CHECKOUT_HPA = '[data-key="shop/Deployment/checkout/hpa"]';

let demo: RunningDemo;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  demo = await startDemo({ port: 0, redisUrl: process.env.REDIS_URL, logLevel: 'silent' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function actAs(userId: string) {
  await page.selectOption('[data-testid=user-picker]', userId);
}

function diagnosis(code: string) {
  return page.locator(`[data-root-cause=${code}]`).first();
}

describe.skipIf(!existsSync(CHROMIUM))('the demo console in Chromium', () => {
  it('shows the five incidents diagnosed, each with its fix as a button', async () => {
    await page.goto(demo.consoleUrl);
    for (const code of CODES) {
      await diagnosis(code).waitFor({ timeout: 20_000 });
    }
    const { diagnoses } = await demo.diagnosed(20_000);
    await expect.poll(() => page.locator('[data-testid=diagnosis]').count(), { timeout: 10_000 }).toBe(diagnoses);
    await expect(page.locator('.conversation').count()).resolves.toBe(demo.groupCount);
    await expect(diagnosis('OOM_LIMIT').locator('button', { hasText: '512Mi' }).count()).resolves.toBe(1);
    await expect(page.locator(AD_SERVER_LIMIT).getAttribute('data-value')).resolves.toBe('256Mi');
    // The memory chart Medic attached to the OOM thread.
    const oomThread = page.locator('.conversation', { has: diagnosis('OOM_LIMIT') });
    await expect(oomThread.locator('.file-image figcaption').textContent()).resolves.toMatch(/ad-server.*memory/);
  });

  it('refuses an approval from someone who is not an approver, with an ephemeral only they see', async () => {
    await actAs('U0BOB');
    await diagnosis('OOM_LIMIT').locator('button', { hasText: '512Mi' }).click();
    const ephemeral = page.locator('[data-testid=ephemeral]').first();
    await ephemeral.waitFor({ timeout: 10_000 });
    await expect(ephemeral.textContent()).resolves.toMatch(/approver/i);
    await expect(page.locator(AD_SERVER_LIMIT).getAttribute('data-value')).resolves.toBe('256Mi');
    // Alice does not see Bob's ephemeral.
    await actAs('U0ALICE');
    await expect(page.locator('[data-testid=ephemeral]').count()).resolves.toBe(0);
  });

  it('runs the fix when an approver clicks: the sandbox shows the new limit and the thread the outcome', async () => {
    await actAs('U0ALICE');
    await diagnosis('OOM_LIMIT').locator('button', { hasText: '512Mi' }).click();
    await expect
      .poll(() => page.locator(AD_SERVER_LIMIT).getAttribute('data-value'), { timeout: 15_000 })
      .toBe('512Mi');
    await expect
      .poll(() => diagnosis('OOM_LIMIT').textContent(), { timeout: 15_000 })
      .toMatch(/Alice Chen[\s\S]*(done|applied|succeeded|✅)|(done|applied|succeeded|✅)[\s\S]*Alice Chen/i);
    await expect(diagnosis('OOM_LIMIT').locator('button', { hasText: '512Mi' }).count()).resolves.toBe(0);
    await expect.poll(() => page.locator('#audit').textContent(), { timeout: 10_000 }).toMatch(/refused:not-approver/);
    await expect(page.locator('#audit').textContent()).resolves.toMatch(/Alice Chen/);
  });

  it('checks the fix again after the demo delay (medic.yaml verification: 10s) and says in the thread that it worked', async () => {
    const oomThread = page.locator('.conversation', { has: diagnosis('OOM_LIMIT') });
    const verified = oomThread.locator('[data-verification]');
    await verified.waitFor({ timeout: 40_000 });
    await expect(verified.getAttribute('data-verification')).resolves.toBe('fixed');
    await expect(verified.textContent()).resolves.toMatch(/Fixed[\s\S]*3 of 3 replicas available/);
    await expect.poll(() => diagnosis('OOM_LIMIT').textContent(), { timeout: 15_000 }).toMatch(/Fixed \(checked/);
    await expect(oomThread.locator('[data-verification]').count()).resolves.toBe(1);
  }, 60_000);

  it('raises the maximum of an HPA at its ceiling when an approver clicks: the cluster panel shows the new bound', async () => {
    await actAs('U0ALICE');
    await expect(page.locator(CHECKOUT_HPA).getAttribute('data-value')).resolves.toBe('3–6');
    await diagnosis('HPA_MAXED_OUT').locator('button', { hasText: 'maxReplicas 6 → 15' }).click();
    await expect.poll(() => page.locator(CHECKOUT_HPA).getAttribute('data-value'), { timeout: 15_000 }).toBe('3–15');
    await expect.poll(() => page.locator('#audit').textContent(), { timeout: 10_000 }).toMatch(/set-hpa-max/);
  });

  it('asks for confirmation before a risky fix and cordons the node once confirmed', async () => {
    await actAs('U0ALICE');
    const cordon = diagnosis('VOLUME_ATTACH_FAILURE').locator('button.btn-danger').first();
    await cordon.click();
    const dialog = page.locator('dialog#confirm');
    await dialog.waitFor({ state: 'visible' });
    await page.locator('#confirm-deny').click();
    await expect(dialog.isVisible()).resolves.toBe(false);
    await expect(page.locator('.node.cordoned').count()).resolves.toBe(0);
    await cordon.click();
    await page.locator('#confirm-ok').click();
    await expect.poll(() => page.locator('.node.cordoned').count(), { timeout: 15_000 }).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
