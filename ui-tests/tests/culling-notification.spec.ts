/**
 * End to end: the hub's culler warns a server before its maximum age; JupyterLab shows the warning
 * as a notification (without a Keep alive button: a maximum age cannot be extended). The hub
 * config (hub-config.yaml) sets a one-day maximum age whose warning is due from the start.
 */
import { expect, test } from '@playwright/test';
import { loginAndStartLab, stopServer } from './hub';

test.describe('Culler notification in JupyterLab', () => {
  test.afterEach(async ({ page }) => {
    await stopServer(page);
  });

  test("shows the culler's maximum-age warning, without a Keep alive button", async ({ page }) => {
    await loginAndStartLab(page, 'cpu-default');

    // The Lab asks at once and then every 30 s; the culler warns at its first pass after the start.
    const toast = page.locator('.Toastify__toast', { hasText: 'This server will be stopped at' });
    await expect(toast).toBeVisible({ timeout: 75_000 });
    await expect(toast).toContainText('maximum age');
    await expect(toast).toContainText('cannot be kept alive');
    await expect(toast.getByRole('button', { name: 'Keep alive' })).toHaveCount(0);
  });
});
