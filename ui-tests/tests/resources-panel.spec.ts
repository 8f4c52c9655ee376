/**
 * End to end: log in to the hub, start the default server with profile `cpu-default` from the
 * home page, wait for JupyterLab, and check that the Resources panel shows that profile, what
 * the local-process backend does not apply of it, and the owner's budget.
 */
import { expect, test } from '@playwright/test';
import { loginAndStartLab, stopServer } from './hub';

test.describe('Resources panel through the hub', () => {
  test.afterEach(async ({ page }) => {
    await stopServer(page);
  });

  test('shows the profile the server was started with', async ({ page }) => {
    await loginAndStartLab(page, 'cpu-default');

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
    // The owner's budget (budgets.defaultUser: 50 in hub-config.yaml), read with the Lab's own token (read:budgets).
    const budget = panel.locator('[data-field="budget"]');
    await expect(budget).toContainText('Budget');
    await expect(budget.locator('.jp-hub-Budget-period')).toContainText('this month, until ');
    await expect(budget.locator('[data-budget^="user/"]')).toContainText(/Yours \d+(\.\d+)? of 50 CU left/);
    await expect(budget.locator('[role="meter"]')).toHaveAttribute('aria-valuemax', '100');
  });
});
