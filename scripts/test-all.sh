#!/usr/bin/env bash
# The one test command (`npm test`, called by .ci/run): installs what is missing, builds, then
# runs lint, type-check, unit tests, integration tests with the real components (PostgreSQL,
# configurable-http-proxy, jupyterhub-singleuser + JupyterLab, jupyterhub-idle-culler) and the
# Galata UI test in Chromium. Ends with one summary line: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
rm -f .cache/jest-results.json .cache/ui-results.json
status=0
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "system packages"; bash scripts/system-deps.sh || exit 1
# The Kubernetes test binaries (kube-apiserver, kube-scheduler, etcd from the Go module proxy; cached
# outside the repository, a cold build takes 10-15 min): built in the background from here on, so
# the build overlaps install, lint and the other tests; the Kubernetes tests wait for it.
step "Kubernetes test binaries (building in the background, log in .cache/k8s-build.out)"
nohup bash scripts/k8s/build.sh >.cache/k8s-build.out 2>&1 </dev/null &
# helm for the chart tests (helm.sh/helm/v3 from the Go module proxy, cached beside them; ~4 min cold).
nohup bash scripts/k8s/build-helm.sh >.cache/helm-build.out 2>&1 </dev/null &
step "install and build"; bash scripts/install.sh || exit 1
step "lint"; npm run --silent lint || status=1
step "type-check"; npm run --silent typecheck || status=1
step "unit and integration tests (jest)"
npx jest --ci --json --outputFile=.cache/jest-results.json || status=1
bash scripts/slurm/stop.sh || true  # the Slurm test cluster some jest files started (harness/slurm)
bash scripts/k8s/cluster.sh stop || true  # the Kubernetes control plane (harness/k8s)
step "UI tests (Galata in Chromium, through a real hub)"
bash ui-tests/run.sh || status=1

node scripts/test-summary.mjs .cache/jest-results.json .cache/ui-results.json || status=1
exit "$status"
