/** What CLI tests give the `clusterhub` processes they run. */

/** Our environment without anything that would change which config or cookie secret the child reads. */
export function cliChildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CLUSTERHUB_CONFIG;
  delete env.CLUSTERHUB_COOKIE_SECRET;
  return env;
}
