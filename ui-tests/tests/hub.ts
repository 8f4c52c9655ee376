/**
 * What the UI tests do through the hub as a person would: log in, start the default server with a
 * profile from the home page and wait for JupyterLab; and stop it through the hub API.
 */
import { expect, type Page } from '@playwright/test';

/** The test user (ui-tests/run.sh creates it). */
export const user = process.env.CLUSTERHUB_UI_USER || 'uitest';
const password = process.env.CLUSTERHUB_UI_PASSWORD || '';

/** Logs in on the hub's login page, starts the default server with `profile`, waits for JupyterLab. */
export async function loginAndStartLab(page: Page, profile: string): Promise<void> {
  expect(password, 'CLUSTERHUB_UI_PASSWORD must be set (run ui-tests/run.sh)').not.toBe('');
  await page.goto('/hub/login');
  await page.fill('#username_input', user);
  await page.fill('#password_input', password);
  await page.click('#login_submit');
  await page.waitForURL('**/hub/home');
  await page.locator('#spawn-form select[name="profile"]').selectOption(profile);
  await page.locator('#spawn-form #start').click();
  await page.waitForURL(`**/user/${user}/lab**`, { timeout: 120_000 });
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached', timeout: 120_000 });
}

/** Stops the user's default server through the hub API (cookie auth, so with the XSRF token). */
export async function stopServer(page: Page): Promise<void> {
  const cookies = await page.context().cookies();
  const xsrf = cookies.find((c) => c.name === '_xsrf' && c.path.startsWith('/hub'))?.value ?? '';
  await page.request.delete(`/hub/api/users/${encodeURIComponent(user)}/server`, { headers: { 'X-XSRFToken': xsrf }, timeout: 30_000 });
}
