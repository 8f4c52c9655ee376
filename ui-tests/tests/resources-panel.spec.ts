/**
 * End to end: log in to the hub, start the default server with profile `cpu-default` from the
 * home page, wait for JupyterLab, and check that the Resources panel shows that profile and what
 * the local-process backend does not apply of it.
 */
import { expect, test, type Page } from '@playwright/test';

const user = process.env.CLUSTERHUB_UI_USER || 'uitest';
const password = process.env.CLUSTERHUB_UI_PASSWORD || '';

/** Stops the user's default server through the hub API (cookie auth, so with the XSRF token). */
async function stopServer(page: Page): Promise<void> {
  const cookies = await page.context().cookies();
  const xsrf = cookies.find((c) => c.name === '_xsrf' && c.path.startsWith('/hub'))?.value ?? '';
  await page.request.delete(`/hub/api/users/${encodeURIComponent(user)}/server`, {
    headers: { 'X-XSRFToken': xsrf },
    timeout: 30_000,
  });
}

test.describe('Resources panel through the hub', () => {
  test.afterEach(async ({ page }) => {
    await stopServer(page);
  });

  test('shows the profile the server was started with', async ({ page }) => {
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

    const tab = page.locator('.jp-SideBar [data-id="clusterhub-resources"]');
    await expect(tab).toBeVisible();
    const panel = page.locator('#clusterhub-resources');
    // A restored layout may already show the panel; a click would then close it.
    if (!(await panel.isVisible())) await tab.click();

    await expect(panel.locator('.jp-hub-ProfileCard-slug')).toHaveText('cpu-default');
    const badge = panel.locator('.jp-hub-KindBadge');
    await expect(badge).toHaveAttribute('data-kind', 'cpu');
    await expect(badge).toHaveText('CPU');
    await expect(panel.locator('[data-field="state"]')).toContainText('Running');
    await expect(panel.locator('.jp-hub-ErrorNotice')).toHaveCount(0);
    // The local-process backend applies no CPU limit and reserves no memory: the panel says so.
    await expect(panel.locator('[data-field="not-applied"]')).toContainText('Not applied on this backend:');
    await expect(panel.locator('[data-field="not-applied"]')).toContainText('CPU limits and guarantees are not applied');
  });
});
