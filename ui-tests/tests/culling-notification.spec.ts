/**
 * End to end: the hub's culler warns a server before its maximum age; JupyterLab shows the warning
 * as a notification (without a Keep alive button: a maximum age cannot be extended). The hub
 * config (hub-config.yaml) sets a one-day maximum age whose warning is due from the start.
 */
import { expect, test, type Page } from '@playwright/test';

const user = process.env.CLUSTERHUB_UI_USER || 'uitest';
const password = process.env.CLUSTERHUB_UI_PASSWORD || '';

/** Stops the user's default server through the hub API (cookie auth, so with the XSRF token). */
async function stopServer(page: Page): Promise<void> {
  const cookies = await page.context().cookies();
  const xsrf = cookies.find((c) => c.name === '_xsrf' && c.path.startsWith('/hub'))?.value ?? '';
  await page.request.delete(`/hub/api/users/${encodeURIComponent(user)}/server`, { headers: { 'X-XSRFToken': xsrf }, timeout: 30_000 });
}

test.describe('Culler notification in JupyterLab', () => {
  test.afterEach(async ({ page }) => {
    await stopServer(page);
  });

  test("shows the culler's maximum-age warning, without a Keep alive button", async ({ page }) => {
    expect(password, 'CLUSTERHUB_UI_PASSWORD must be set (run ui-tests/run.sh)').not.toBe('');
    await page.goto('/hub/login');
    await page.fill('#username_input', user);
    await page.fill('#password_input', password);
    await page.click('#login_submit');
    await page.waitForURL('**/hub/home');
    await page.locator('#spawn-form select[name="profile"]').selectOption('cpu-default');
    await page.locator('#spawn-form #start').click();
    await page.waitForURL(`**/user/${user}/lab**`, { timeout: 120_000 });
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached', timeout: 120_000 });

    // The Lab asks at once and then every 30 s; the culler warns at its first pass after the start.
    const toast = page.locator('.Toastify__toast', { hasText: 'This server will be stopped at' });
    await expect(toast).toBeVisible({ timeout: 75_000 });
    await expect(toast).toContainText('maximum age');
    await expect(toast).toContainText('cannot be kept alive');
    await expect(toast.getByRole('button', { name: 'Keep alive' })).toHaveCount(0);
  });
});
