import type { HubConfig } from '@clusterhub/shared';

/** Default of `gpuMetrics.historyMinutes`, as in the schema (the document normally has it filled). */
const DEFAULT_HISTORY_MINUTES = 30;

/**
 * Rules of the profiles' `cull.gpuIdle` sections the schema cannot express (docs/culler.md): only
 * on GPU and MIG profiles, with GPU metrics and the built-in culler on, a period the GPU history
 * covers, a warning no longer than the period, and `downshiftTo` naming another profile exactly
 * when the action is `downshift`. One `config error at <path>` line per problem.
 */
export function gpuIdleProblems(doc: HubConfig): string[] {
  const problems: string[] = [];
  const at = (path: string, why: string): void => {
    problems.push(`config error at ${path}: ${why}`);
  };
  const profiles = doc.profiles ?? [];
  const historySeconds = (doc.gpuMetrics?.historyMinutes ?? DEFAULT_HISTORY_MINUTES) * 60;
  profiles.forEach((profile, i) => {
    const rule = profile.cull?.gpuIdle;
    if (!rule) return;
    const path = `profiles[${i}].cull.gpuIdle`;
    if (profile.kind === 'cpu') at(path, 'only for profiles of kind gpu or mig (this profile is kind cpu)');
    if (doc.gpuMetrics?.enabled !== true) at(path, 'needs gpuMetrics.enabled: true (GPU idleness is measured by the GPU metrics)');
    if (doc.culler?.enabled !== true) at(path, 'needs culler.enabled: true (the built-in culler acts on it)');
    if (rule.periodSeconds > historySeconds) {
      at(`${path}.periodSeconds`, `must be <= gpuMetrics.historyMinutes × 60 (${historySeconds}): the hub keeps GPU readings that long`);
    }
    if (rule.warningSeconds !== undefined && rule.warningSeconds > rule.periodSeconds) at(`${path}.warningSeconds`, 'must be <= periodSeconds');
    if (rule.action === 'downshift') {
      if (rule.downshiftTo === undefined) at(`${path}.downshiftTo`, 'required when action is downshift');
      else if (rule.downshiftTo === profile.slug) at(`${path}.downshiftTo`, 'must name another profile than this one');
      else if (!profiles.some((p) => p.slug === rule.downshiftTo)) at(`${path}.downshiftTo`, `no profile has the slug ${JSON.stringify(rule.downshiftTo)}`);
    } else if (rule.downshiftTo !== undefined) {
      at(`${path}.downshiftTo`, `only allowed when action is downshift (it is ${rule.action})`);
    }
  });
  return problems;
}
