// The rows of the table, in order, with their goals (issue 10). `phase` is the part that measures them.
export const ROWS = [
  { id: 'read-admin', phase: 'api', label: '`GET /users/{name}`, admin token, c=10', unit: 'req/s', goal: { text: '≥ 10×, p99 ≤ 10 ms', minRatio: 10, maxP99Ms: 10 } },
  { id: 'read-user', phase: 'api', label: "same with the user's own token", unit: 'req/s', goal: { text: '≥ 10×, p99 ≤ 10 ms', minRatio: 10, maxP99Ms: 10 } },
  { id: 'list-200', phase: 'api', label: '`GET /users?limit=200`, c=10', unit: 'req/s' },
  { id: 'activity', phase: 'api', label: 'activity POST, c=10', unit: 'req/s', goal: { text: '≥ 2,000/s', minValue: 2000 } },
  { id: 'bulk-create', phase: 'api', label: 'bulk create 1,000 users (one request)', unit: 's', goal: { text: 'probe max ≤ 200 ms', maxProbeMs: 200 } },
  { id: 'start-10k', phase: 'start', label: 'hub start with 10,000 users → first `GET /users?limit=200`', unit: 's', goal: { text: '≤ 1 s', maxValue: 1 } },
  { id: 'proxy-get', phase: 'proxy', label: 'proxy GET c=100, 11-byte backend', unit: 'req/s', reference: 'direct', goal: { text: '≥ 2× CHP', minRatio: 2 } },
  { id: 'ws-rss', phase: 'proxy', label: 'RSS growth per 1,000 open websockets', unit: 'MiB', goal: { text: '≤ 10 KiB each', maxValue: 10000 / 1024 } },
];
