/* eslint-disable */
/** Generated from schema/ by scripts/gen-types.mjs: do not edit; run `npm run gen`. */

/**
 * Compute units per period (0 to 1e9).
 */
export type BudgetAmount = number;

/**
 * clusterhub configuration (one YAML file). Every key has a default: an empty file, or none, gives the embedded default.
 */
export interface HubConfig {
  hub?: HubSettings;
  db?: DbConfig;
  proxy?: ProxyConfig;
  auth?: AuthConfig;
  spawner?: SpawnerConfig;
  /**
   * Named backends besides `default` (the `spawner` section); a profile picks one with `backend`. Keys: lowercase letters, digits and '-'.
   */
  backends?: {
    [k: string]: BatchBackendConfig;
  };
  /**
   * Spawn profiles, offered in this order (at least one; slugs unique; at most one default). Defaults to the seed cluster's CPU, MIG and GPU profiles.
   *
   * @minItems 1
   */
  profiles?: [ProfileConfig, ...ProfileConfig[]];
  /**
   * API clients with their own token and scopes, e.g. jupyterhub-idle-culler.
   */
  services?: ServiceConfig[];
  gpuMetrics?: GpuMetricsConfig;
  budgets?: BudgetsConfig;
  culler?: CullerConfig;
  audit?: AuditConfig;
}
export interface HubSettings {
  public?: Listen;
  internal?: Listen1;
  /**
   * HTTPS on the public listener (the built-in proxy), as JupyterHub's ssl_cert and ssl_key: browsers connect with https:// and wss://, cookies get Secure (hub.cookieSecure auto). Relative paths are resolved against the config file's folder. The files are read again when they change (a certbot or cert-manager renewal), without a restart. Not with proxy.kind chp: configurable-http-proxy terminates TLS itself (--ssl-cert, --ssl-key).
   */
  tls?: {
    /**
     * PEM certificate (chain) file, e.g. /etc/letsencrypt/live/<host>/fullchain.pem.
     */
    certFile: string;
    /**
     * PEM private key file of that certificate (readable by the hub's account only).
     */
    keyFile: string;
  };
  /**
   * URL servers use to reach the hub, if not the internal listener (e.g. from compute nodes); <baseUrl>hub/ is appended unless the path already ends with it.
   */
  connectUrl?: string;
  baseUrl?: string;
  /**
   * The hub's private folder (mode 0700, files 0600): the SQLite database, the cookie secret and server logs. User folders never lie inside it. Relative paths (here and in db.path, spawner.cmd, spawner.workDir) are resolved against the config file's folder.
   */
  dataDir?: string;
  /**
   * JupyterHub protocol version advertised in X-JupyterHub-Version (PEP 440).
   */
  version?: string;
  cookieMaxAgeDays?: number;
  apiPageDefaultLimit?: number;
  apiPageMaxLimit?: number;
  maxBodyBytes?: number;
  allowNamedServers?: boolean;
  /**
   * 0 means no limit.
   */
  namedServerLimitPerUser?: number;
  /**
   * Starts in progress at once; more get 429. 0 means no limit.
   */
  concurrentSpawnLimit?: number;
  /**
   * Servers running or starting at once; more get 429. 0 means no limit.
   */
  activeServerLimit?: number;
  startTimeoutSeconds?: number;
  /**
   * How long a started server has to answer on its URL.
   */
  httpTimeoutSeconds?: number;
  /**
   * A start API call waits this long before answering 202.
   */
  slowSpawnTimeoutSeconds?: number;
  slowStopTimeoutSeconds?: number;
  pollIntervalSeconds?: number;
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /**
   * Require read:metrics for /hub/metrics.
   */
  authenticatePrometheus?: boolean;
  /**
   * Also export the hub process's own metrics on /hub/metrics (process_cpu_seconds_total, process_resident_memory_bytes, open file descriptors, nodejs_* heap, event-loop lag and garbage collection), as JupyterHub exports its process_* metrics; false leaves only the hub's own.
   */
  processMetrics?: boolean;
  /**
   * Addresses or CIDR blocks (e.g. 10.0.0.0/8) of proxies in front of the hub whose X-Forwarded-For/-Proto are believed. The built-in proxy is always trusted (recognised by its own connection, not by its address); add the load balancer or CHP address here. The client is the right-most untrusted X-Forwarded-For address.
   */
  trustedProxies?: string[];
  /**
   * Secure attribute of the hub's cookies: auto = when the client reached the hub over HTTPS (TLS, or X-Forwarded-Proto: https from a trusted proxy); true = always (set this behind a TLS terminator that is not listed in trustedProxies); false = never.
   */
  cookieSecure?: 'auto' | 'true' | 'false';
}
/**
 * Where the proxy listens for browsers (default 127.0.0.1:8000).
 */
export interface Listen {
  ip?: string;
  /**
   * TCP port (default 8000 for hub.public, 8081 for hub.internal); 0 picks a free one.
   */
  port?: number;
}
/**
 * Where the hub itself listens; the proxy and servers reach it here (default 127.0.0.1:8081).
 */
export interface Listen1 {
  ip?: string;
  /**
   * TCP port (default 8000 for hub.public, 8081 for hub.internal); 0 picks a free one.
   */
  port?: number;
}
export interface DbConfig {
  kind?: 'sqlite' | 'postgres';
  /**
   * SQLite file (default <dataDir>/clusterhub.sqlite); ':memory:' for tests.
   */
  path?: string;
  /**
   * PostgreSQL connection URL (postgres://user:password@host:5432/database); kind postgres needs this or urlEnv.
   */
  url?: string;
  /**
   * Name of an environment variable holding the PostgreSQL connection URL (password included), e.g. filled from a Kubernetes Secret; instead of url, for kind postgres only. The URL is never logged.
   */
  urlEnv?: string;
}
export interface ProxyConfig {
  kind?: 'builtin' | 'chp';
  /**
   * configurable-http-proxy API URL, e.g. http://127.0.0.1:8001; required for kind chp.
   */
  apiUrl?: string;
  /**
   * configurable-http-proxy API token; prefer authTokenEnv. Kind chp needs this or the variable named by authTokenEnv.
   */
  authToken?: string;
  /**
   * Environment variable holding the CHP API token.
   */
  authTokenEnv?: string;
  checkRoutesIntervalSeconds?: number;
  lastActivityIntervalSeconds?: number;
}
export interface AuthConfig {
  /**
   * local: the hub's own accounts and login form; oidc: sign in at an OpenID Connect or OAuth2 provider (settings in auth.oidc); ldap: the login form checked against an LDAP directory (settings in auth.ldap); pam: the login form checked by the machine's PAM stack, for Unix accounts (settings in auth.pam).
   */
  kind?: 'local' | 'oidc' | 'ldap' | 'pam';
  /**
   * Users who are admins.
   */
  admins?: string[];
  /**
   * Hub groups whose members are admins, decided at every login: with it set, a user is an admin when listed in auth.admins or a member of one of these groups (for local, LDAP-less and PAM logins; OIDC and LDAP have their own adminGroups from the provider's groups).
   */
  adminGroups?: string[];
  /**
   * Name of the admin account created at first start.
   */
  initialAdmin?: string;
  loginThrottle?: {
    /**
     * Failed logins allowed before delays start.
     */
    freeFailures?: number;
    maxDelaySeconds?: number;
  };
  oidc?: OidcConfig;
  ldap?: LdapConfig;
  pam?: PamConfig;
}
/**
 * Login at an OpenID Connect provider (discovery from issuer) or a plain OAuth2 provider (explicit endpoints and a userinfo URL). Used when auth.kind is oidc.
 */
export interface OidcConfig {
  /**
   * oidc: ID token checked (signature, issuer, audience, nonce); oauth2: no ID token, the identity comes from userinfoUrl.
   */
  protocol?: 'oidc' | 'oauth2';
  /**
   * The provider's issuer URL; its /.well-known/openid-configuration is read unless authorizationUrl and tokenUrl are given.
   */
  issuer?: string;
  /**
   * Authorization endpoint (explicit endpoints instead of discovery).
   */
  authorizationUrl?: string;
  /**
   * Token endpoint.
   */
  tokenUrl?: string;
  /**
   * Userinfo endpoint; required for protocol oauth2.
   */
  userinfoUrl?: string;
  /**
   * Key set of the provider (protocol oidc with explicit endpoints).
   */
  jwksUrl?: string;
  /**
   * The hub's client id at the provider.
   */
  clientId?: string;
  /**
   * The client secret (prefer clientSecretEnv).
   */
  clientSecret?: string;
  /**
   * Name of the environment variable that holds the client secret.
   */
  clientSecretEnv?: string;
  /**
   * Redirect URI registered at the provider (JupyterHub's oauth_callback_url), ending in hub/oauth_callback; default: derived from the request.
   */
  callbackUrl?: string;
  scopes?: string[];
  /**
   * Claim that gives the user name; a dotted path reaches nested claims.
   */
  usernameClaim?: string;
  /**
   * Claim that lists the user's groups (dotted path for nested claims, e.g. realm_access.roles).
   */
  groupsClaim?: string;
  /**
   * Everyone the provider authenticates may log in.
   */
  allowAll?: boolean;
  /**
   * User names that may log in.
   */
  allowedUsers?: string[];
  /**
   * Members of these groups may log in.
   */
  allowedGroups?: string[];
  /**
   * Members of these groups are admins (and may log in); others lose admin at login unless listed in auth.admins.
   */
  adminGroups?: string[];
  /**
   * At every login the user's hub groups become exactly the groups of the claim.
   */
  manageGroups?: boolean;
  /**
   * Shown on the login button: Sign in with <displayName>.
   */
  displayName?: string;
  /**
   * Timeout of each request to the provider.
   */
  timeoutSeconds?: number;
  /**
   * With a refresh token from the provider (scope offline_access, or the provider's policy): every this many seconds, and before a start when the last refresh is older, the hub uses it to read the user's claims again and updates groups and admin as a login would. 0: off (groups are read at login only).
   */
  refreshGroupsSeconds?: number;
  /**
   * More query parameters for the provider's authorization request, as OAuthenticator's extra_authorize_params: e.g. { prompt: consent } where the provider gives a refresh token (offline_access) only after consent, { access_type: offline } for Google, { audience: ... }, { kc_idp_hint: ... } for Keycloak. The parameters the hub sets itself (client_id, redirect_uri, response_type, scope, state, nonce, code_challenge, code_challenge_method) cannot be given here.
   */
  extraAuthorizeParams?: {
    [k: string]: string;
  };
}
/**
 * Login form checked by binding to an LDAP directory as the user (DN template, or search-then-bind with a service account); groups read from the directory. Used when auth.kind is ldap.
 */
export interface LdapConfig {
  /**
   * The directory server: ldaps://host[:port], or ldap://host[:port] with startTls (plain ldap:// only with allowInsecure: true).
   */
  url?: string;
  /**
   * Upgrade an ldap:// connection with StartTLS before binding.
   */
  startTls?: boolean;
  /**
   * PEM file of the CA(s) that signed the server's certificate (relative to the config file); default: the system's CAs.
   */
  caFile?: string;
  /**
   * Allow plain ldap:// without StartTLS: passwords cross the network unencrypted. For tests and loopback only.
   */
  allowInsecure?: boolean;
  /**
   * Timeout of the connection and of each directory operation.
   */
  timeoutSeconds?: number;
  /**
   * Bind as the user at this DN, {username} replaced by the escaped user name, e.g. uid={username},ou=people,dc=example,dc=org. Set this or userSearch.
   */
  userDnTemplate?: string;
  /**
   * Search-then-bind: bind as a service account, find the user's entry, then bind as the user.
   */
  userSearch?: {
    /**
     * Where users are searched (subtree).
     */
    baseDn?: string;
    /**
     * Search filter; {username} is replaced by the user name escaped per RFC 4515.
     */
    filter?: string;
    /**
     * DN of the service account that searches.
     */
    bindDn?: string;
    /**
     * Name of the environment variable that holds the service account's password.
     */
    bindPasswordEnv?: string;
  };
  /**
   * Where the user's groups are read (as the service account with userSearch, else as the user). Without it the user has no directory groups.
   */
  groupSearch?: {
    /**
     * Where groups are searched (subtree).
     */
    baseDn?: string;
    /**
     * Groups of the user: {dn} is the user's DN, {username} the user name, both escaped per RFC 4515. The default finds groupOfNames (member) and posixGroup (memberUid) groups.
     */
    filter?: string;
    /**
     * Attribute of a group entry that gives the group's name.
     */
    nameAttribute?: string;
  };
  /**
   * Everyone the directory authenticates may log in.
   */
  allowAll?: boolean;
  /**
   * User names that may log in.
   */
  allowedUsers?: string[];
  /**
   * Members of these directory groups may log in.
   */
  allowedGroups?: string[];
  /**
   * Members of these directory groups are admins (and may log in); others lose admin at login unless listed in auth.admins.
   */
  adminGroups?: string[];
  /**
   * At every login the user's hub groups become exactly the user's directory groups.
   */
  manageGroups?: boolean;
}
/**
 * Login form checked by PAM (the machine's Unix accounts, or whatever its PAM stack checks: SSSD, Kerberos, LDAP). The hub runs a small Python helper (pamela) for each login; users' servers run as their Unix accounts. Used when auth.kind is pam.
 */
export interface PamConfig {
  /**
   * The PAM service: its rules are /etc/pam.d/<service>.
   */
  service?: string;
  /**
   * Absolute path of the Python that runs the PAM helper (it needs the pamela package); default: the .venv the setup built, else python3 on PATH.
   */
  python?: string;
  /**
   * Longest a PAM check may take (PAM stacks may delay a failure on purpose).
   */
  timeoutSeconds?: number;
  /**
   * Accounts with a lower uid (root, system accounts) may not sign in.
   */
  minUid?: number;
  /**
   * Every account PAM accepts may log in.
   */
  allowAll?: boolean;
  /**
   * User names that may log in.
   */
  allowedUsers?: string[];
  /**
   * Members of these Unix groups may log in.
   */
  allowedGroups?: string[];
  /**
   * Members of these Unix groups are admins (and may log in); others lose admin at login unless listed in auth.admins.
   */
  adminGroups?: string[];
  /**
   * At every login the user's hub groups become exactly the account's Unix groups.
   */
  manageGroups?: boolean;
}
export interface SpawnerConfig {
  kind?: 'local-process';
  /**
   * Command that starts a server (default: jupyterhub-singleuser from the setup's venv).
   *
   * @minItems 1
   */
  cmd?: [string, ...string[]];
  /**
   * Extra command-line arguments (default: none). Servers never run as root, so --allow-root is never needed.
   */
  args?: string[];
  /**
   * Extra environment for every server; applied last.
   */
  environment?: {
    [k: string]: string;
  };
  /**
   * Variables copied from the hub's environment (default: JupyterHub's LocalProcessSpawner list: PATH, PYTHONPATH, CONDA_ROOT, CONDA_DEFAULT_ENV, VIRTUAL_ENV, LANG, LC_ALL, LD_LIBRARY_PATH, JUPYTERHUB_SINGLEUSER_APP).
   */
  envKeep?: string[];
  ip?: string;
  /**
   * Working folder of each server: a template with {home} (the Unix account's home folder), {account} (its name) or {username} (the hub user name). A missing folder is created, owned by the account, mode 0700; an existing one must belong to the account. It may not lie inside hub.dataDir.
   */
  workDir?: string;
  /**
   * When the hub runs as root and a hub user has no Unix account, create one with useradd (home 0700). Default false, so a missing account is a clear refusal; the embedded default (no config file) sets it to true.
   */
  createSystemUsers?: boolean;
  /**
   * Unix account name of a hub user; {username} is replaced once. Names that are not valid account names (capitals, @, +, spaces, non-ASCII, over 32 characters) are mapped to lowercase with '-' and a 12-hex-digit hash suffix, so two hub users never share an account.
   */
  systemUserTemplate?: string;
  /**
   * Lowest uid a user server may run as: root and system accounts are always refused.
   */
  minUid?: number;
  defaultUrl?: string;
}
/**
 * A backend besides `default`: a batch scheduler, each server a job submitted as its user (docs/slurm.md), or Kubernetes, each server a pod (kind kubernetes, its settings in `kubernetes`).
 */
export interface BatchBackendConfig {
  /**
   * slurm: sbatch/squeue/scancel/scontrol/sacct/sinfo/sacctmgr; pbs: qsub/qstat/qdel; kubernetes: each server is a pod (settings in `kubernetes`; the batch settings do not apply).
   */
  kind: 'slurm' | 'pbs' | 'kubernetes';
  kubernetes?: KubernetesBackendConfig;
  /**
   * ssh: run the scheduler's commands on a login node over SSH; local: on the hub's machine.
   */
  transport?: 'ssh' | 'local';
  ssh?: SshTransportConfig;
  /**
   * Run each command as the user with `sudo -n -u <account>`; false only when the hub (or the SSH operator) is that user.
   */
  sudo?: boolean;
  /**
   * Folder of the scheduler's commands on the machine that runs them (empty: found on PATH).
   */
  commandDir?: string;
  /**
   * Cluster account of a hub user; {username} is replaced once (names mapped as in spawner.systemUserTemplate).
   */
  userTemplate?: string;
  /**
   * Home folder of a cluster account, where the job starts (--chdir) and writes its output; {account} is replaced.
   */
  home?: string;
  /**
   * Command the job runs (on the compute node, without srun); batchspawner-singleuser reports the port back to the hub.
   *
   * @minItems 1
   */
  cmd?: [string, ...string[]];
  /**
   * PATH inside the job, after the environment is reset (the prologue may extend it).
   */
  path?: string;
  /**
   * Extra environment for every job of this backend.
   */
  environment?: {
    [k: string]: string;
  };
  /**
   * The job's output file, relative to the user's home (%j: job id).
   */
  output?: string;
  /**
   * One queue query for all of this backend's jobs per interval.
   */
  pollIntervalSeconds?: number;
  /**
   * A start timeout never cancels a job the scheduler expects to start within this many seconds.
   */
  startGraceSeconds?: number;
  /**
   * How long capacity and account/partition/QoS lists are cached.
   */
  cacheSeconds?: number;
  /**
   * Notice before a job's time limit ends, and the extension users may ask for (scontrol update TimeLimit, run as the operator: it must be a Slurm operator).
   */
  walltime?: {
    /**
     * Tell the user (server message, Lab) this many minutes before the end; 0: no notice.
     */
    noticeMinutes?: number;
    /**
     * Minutes one extension adds; 0: users cannot extend.
     */
    extensionMinutes?: number;
    /**
     * Extensions per server start.
     */
    maxExtensions?: number;
  };
}
/**
 * How the hub reaches the cluster and what each server's pod is. Without apiServer and kubeconfigFile the hub uses its in-cluster ServiceAccount.
 */
export interface KubernetesBackendConfig {
  /**
   * The API server's URL; default: the in-cluster address (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT).
   */
  apiServer?: string;
  /**
   * A kubeconfig file (its current context) instead of apiServer, tokenFile and caFile; relative to the config file.
   */
  kubeconfigFile?: string;
  /**
   * The hub's bearer token, read again on each request (ServiceAccount tokens rotate); relative to the config file.
   */
  tokenFile?: string;
  /**
   * An environment variable that holds the bearer token, instead of tokenFile.
   */
  tokenEnv?: string;
  /**
   * The CA that signed the API server's certificate; relative to the config file.
   */
  caFile?: string;
  /**
   * The namespace of the user pods and PVCs.
   */
  namespace: string;
  /**
   * The single-user image (a profile's `image` replaces it).
   */
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Names of Secrets in the namespace.
   */
  imagePullSecrets?: string[];
  /**
   * The container's command.
   *
   * @minItems 1
   */
  cmd?: [string, ...string[]];
  /**
   * The container's arguments.
   */
  args?: string[];
  /**
   * runAsUser of the pods (never root).
   */
  uid?: number;
  /**
   * runAsGroup of the pods.
   */
  gid?: number;
  /**
   * fsGroup of the pods (owns the mounted volumes).
   */
  fsGroup?: number;
  /**
   * The pods' ServiceAccount; default: the namespace's `default`.
   */
  serviceAccountName?: string;
  /**
   * Mount a ServiceAccount token into the pods (off: user code gets no API credentials).
   */
  automountServiceAccountToken?: boolean;
  /**
   * A per-user PVC, created when missing and kept when the server stops. Absent: no per-user volume.
   */
  storage?: {
    /**
     * The PVC's name; {username} and {servername} become DNS-safe forms.
     */
    nameTemplate?: string;
    size?: string;
    /**
     * Default: the cluster's default StorageClass.
     */
    storageClassName?: string;
    /**
     * @minItems 1
     */
    accessModes?: [
      'ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany' | 'ReadWriteOncePod',
      ...('ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany' | 'ReadWriteOncePod')[]
    ];
    mountPath?: string;
  };
  /**
   * Existing PVCs mounted read-only in every pod (datasets).
   */
  sharedVolumes?: {
    name: string;
    claimName: string;
    mountPath: string;
    subPath?: string;
  }[];
  /**
   * A scratch emptyDir with a size limit. Absent: none.
   */
  scratch?: {
    mountPath?: string;
    sizeLimit?: string;
  };
  /**
   * Labels added to every pod and PVC; the hub watches only pods that carry them too.
   */
  extraLabels?: {
    [k: string]: string;
  };
  dcgmExporter?: DcgmExporterConfig;
  /**
   * Whose pods the free GPU/MIG counts subtract on the nodes a profile may use. namespace: this backend's namespace only (its Role suffices; GPUs held by other namespaces' pods are not seen, so free counts may be too high). cluster: every namespace's bound, live pods, from one cluster-wide watch; needs get, list and watch on pods in all namespaces (the chart grants it and sets this key with rbac.readAllPods). Without that right the counts say why instead; servers still start.
   */
  capacityPods?: 'namespace' | 'cluster';
}
/**
 * Where the GPU metrics of this backend's pods come from: NVIDIA's dcgm-exporter (one per GPU node, run with its Kubernetes pod mapping), scraped once per exporter per gpuMetrics interval (docs/gpu-metrics.md). Either a fixed list of urls, or exporter pods found through the API server by namespace and labelSelector.
 */
export interface DcgmExporterConfig {
  /**
   * The exporters' metrics URLs (http://node1:9400/metrics; a URL without a path gets /metrics).
   *
   * @minItems 1
   */
  urls?: [string, ...string[]];
  /**
   * The namespace of the exporter pods (e.g. gpu-operator); the hub's identity must be allowed to list pods there.
   */
  namespace?: string;
  /**
   * Selects the exporter pods (e.g. app=nvidia-dcgm-exporter); each running pod is scraped at http://<pod IP>:<port>/metrics.
   */
  labelSelector?: string;
  /**
   * The exporter pods' metrics port (default 9400; only with labelSelector).
   */
  port?: number;
}
/**
 * Login nodes reached over SSH, tried in order (the next one when a node is down).
 */
export interface SshTransportConfig {
  /**
   * host[:port] of each login node.
   *
   * @minItems 1
   */
  hosts: [string, ...string[]];
  /**
   * The operator account the hub logs in as.
   */
  user: string;
  /**
   * Path of the operator's private key (relative to the config file's folder); or set privateKeyEnv.
   */
  privateKeyFile?: string;
  /**
   * Environment variable holding the private key (a mounted secret).
   */
  privateKeyEnv?: string;
  /**
   * Pinned host key fingerprints (ssh-keygen -lf form, SHA256:…); any other key is refused.
   *
   * @minItems 1
   */
  hostKeys?: [string, ...string[]];
  connectTimeoutSeconds?: number;
  keepaliveSeconds?: number;
}
/**
 * A spawn profile: what machine a server gets (CPU, a MIG slice, whole GPUs), who may use it and what it costs.
 */
export interface ProfileConfig {
  /**
   * Stable id used in user_options.profile and stored with the server.
   */
  slug: string;
  displayName: string;
  description?: string;
  /**
   * The family of the profile: CPU only, a MIG slice of a GPU, or whole GPUs.
   */
  kind: 'cpu' | 'mig' | 'gpu';
  /**
   * The backend that runs this profile's servers: `default` (the `spawner` section) or a key of `backends`.
   */
  backend?: string;
  /**
   * The profile used when a start names none. At most one profile is the default; else the first is.
   */
  default?: boolean;
  resources?: Resources;
  /**
   * Container image (Kubernetes backend).
   */
  image?: string;
  /**
   * Extra environment variables for the server.
   */
  environment?: {
    [k: string]: string;
  };
  /**
   * Price in compute units per server-hour.
   */
  pricePerHour?: number;
  /**
   * Groups allowed to use this profile; empty means everyone.
   */
  groups?: string[];
  cull?: CullPolicy;
  /**
   * Settings of this profile's pods on a kubernetes backend; each replaces the default the profile's kind gives (docs/kubernetes.md).
   */
  kubernetes?: {
    /**
     * Replaces the default selector (MIG profiles: nvidia.com/mig.capable=true).
     */
    nodeSelector?: {
      [k: string]: string;
    };
    /**
     * Added to the default toleration of nvidia.com/gpu taints.
     */
    tolerations?: {
      key?: string;
      operator?: 'Exists' | 'Equal';
      value?: string;
      effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
      tolerationSeconds?: number;
    }[];
    /**
     * The extended resource of this profile's MIG slice (default nvidia.com/mig-<resources.mig.profile>); names depend on the card, e.g. nvidia.com/mig-1g.18gb on an H200.
     */
    migResourceName?: string;
    /**
     * The extended resource of a whole GPU (default nvidia.com/gpu).
     */
    gpuResourceName?: string;
    /**
     * More limits, e.g. rdma/hca: "1".
     */
    extraResources?: {
      [k: string]: string;
    };
    /**
     * The pods' RuntimeClass (default nvidia for GPU and MIG profiles, none for CPU); "" for none.
     */
    runtimeClassName?: string;
  };
  slurm?: SlurmSettings;
}
export interface Resources {
  /**
   * CPU cores; the guarantee may not exceed the limit.
   */
  cpu?: {
    guarantee?: number;
    limit?: number;
  };
  /**
   * Memory; the guarantee may not exceed the limit.
   */
  memory?: {
    /**
     * A memory size: bytes, or a number with a K/M/G/T (decimal) or Ki/Mi/Gi/Ti (binary) suffix.
     */
    guarantee?: string;
    /**
     * A memory size: bytes, or a number with a K/M/G/T (decimal) or Ki/Mi/Gi/Ti (binary) suffix.
     */
    limit?: string;
  };
  /**
   * Whole GPUs; required for kind gpu and only allowed there.
   */
  gpus?: {
    count: number;
    /**
     * GPU model, e.g. a100 or h100.
     */
    type?: string;
  };
  /**
   * A MIG slice of a GPU; required for kind mig and only allowed there.
   */
  mig?: {
    /**
     * MIG profile, e.g. 1g.5gb.
     */
    profile: string;
    count?: number;
  };
  /**
   * Maximum run time, [D-]HH:MM:SS.
   */
  walltime?: string;
}
export interface CullPolicy {
  /**
   * Stop after this long without activity; 0 disables.
   */
  idleTimeoutSeconds?: number;
  /**
   * Stop after this long regardless of activity; 0 disables.
   */
  maxAgeSeconds?: number;
  /**
   * Warn this long before a web-idle or max-age stop of this profile's servers; overrides culler.warningSeconds.
   */
  warningSeconds?: number;
  gpuIdle?: GpuIdlePolicy;
}
/**
 * What the built-in culler does when a server of this GPU or MIG profile holds its GPU but leaves it idle (utilisation under gpuMetrics.idleThresholdPercent) for periodSeconds (docs/culler.md). Needs gpuMetrics.enabled and culler.enabled.
 */
export interface GpuIdlePolicy {
  /**
   * notify: a message on the server; downshift: stop it and start it again on the profile downshiftTo (same user, same files); stop: stop it with the stop reason gpu-idle.
   */
  action: 'notify' | 'downshift' | 'stop';
  /**
   * How long the GPU must stay idle before the action; at most gpuMetrics.historyMinutes.
   */
  periodSeconds: number;
  /**
   * For downshift and stop: the server's message warns this long before the action, with the time left and the keep-alive (POST …/server/keep-alive). At most periodSeconds; default 300, or the period when shorter.
   */
  warningSeconds?: number;
  /**
   * The slug of the cheaper profile a downshift restarts the server on; required for downshift, only allowed there.
   */
  downshiftTo?: string;
}
/**
 * Batch-scheduler settings of a profile run by a `slurm` or `pbs` backend (PBS: partition is the queue).
 */
export interface SlurmSettings {
  /**
   * Partition (PBS: queue) the job is submitted to; the scheduler's default when omitted.
   */
  partition?: string;
  /**
   * Account charged for the job.
   */
  account?: string;
  /**
   * Quality of service.
   */
  qos?: string;
  /**
   * A Slurm partition, account, QoS or reservation name (letters, digits, _ . -).
   */
  reservation?: string;
  /**
   * Node features, Slurm --constraint syntax (e.g. a100&ib).
   */
  constraint?: string;
  /**
   * Generic resources, overriding the ones derived from resources.gpus (gpu[:type]:N) and resources.mig (gpu:<profile>:N).
   */
  gres?: string;
  /**
   * Shell lines the job runs before the server (e.g. module load), written by the admin; never user input.
   */
  prologue?: string[];
  /**
   * What a user may choose at start (user_options): anything not listed here is fixed by the profile.
   */
  choices?: {
    /**
     * The values a user may choose: a list, or `any` (any well-formed name; Slurm checks the user's associations).
     */
    partition?: [string, ...string[]] | 'any';
    /**
     * The values a user may choose: a list, or `any` (any well-formed name; Slurm checks the user's associations).
     */
    account?: [string, ...string[]] | 'any';
    /**
     * The values a user may choose: a list, or `any` (any well-formed name; Slurm checks the user's associations).
     */
    qos?: [string, ...string[]] | 'any';
    /**
     * The values a user may choose: a list, or `any` (any well-formed name; Slurm checks the user's associations).
     */
    reservation?: [string, ...string[]] | 'any';
    /**
     * Users may ask for a walltime up to this, [D-]HH:MM:SS; without it the walltime is fixed by resources.walltime.
     */
    maxWalltime?: string;
  };
}
export interface ServiceConfig {
  name: string;
  /**
   * The service's API token; prefer apiTokenEnv. Set exactly one of apiToken and apiTokenEnv.
   */
  apiToken?: string;
  /**
   * Environment variable holding the service's API token.
   */
  apiTokenEnv?: string;
  scopes?: string[];
  admin?: boolean;
}
/**
 * GPU samples per user server (local-process backend: nvidia-smi on the hub's machine), for the GPU API, Prometheus and GPU-aware idleness.
 */
export interface GpuMetricsConfig {
  /**
   * Sample the GPUs and give each reading to the server whose process uses the GPU. Off by default: a machine without NVIDIA's driver has nothing to sample.
   */
  enabled?: boolean;
  /**
   * The nvidia-smi program: a bare name is looked up in PATH, a relative path is resolved against the config file's folder. It is run as `<nvidiaSmi> -q -x`, once per interval for all servers.
   */
  nvidiaSmi?: string;
  /**
   * The nvidia-smi program on the compute nodes of Slurm backends: an absolute path there, or a bare name looked up in the job step's PATH. Run once per node and interval as `srun --jobid=<a job on the node> --overlap -N1 -n1 --nodelist=<node> --gres=none <nodeNvidiaSmi> -q -x`, as that job's user (docs/gpu-metrics.md, Slurm).
   */
  nodeNvidiaSmi?: string;
  /**
   * Time between two samples.
   */
  intervalSeconds?: number;
  /**
   * A run of nvidia-smi taking longer is killed and counts as failed (a hung driver).
   */
  commandTimeoutSeconds?: number;
  /**
   * How far back readings are kept per server (in memory), at most 20000 readings (historyMinutes * 60 / intervalSeconds).
   */
  historyMinutes?: number;
  /**
   * GPU utilisation from which a device counts as busy; below it a device is idle, or held-idle when a process holds memory on it.
   */
  idleThresholdPercent?: number;
}
/**
 * Compute-unit budgets per user and per group (docs/budgets.md). A start is refused with budget_exceeded when a budget that applies has less left this period than one hour of the profile's price. No amounts set (the default): no budgets.
 */
export interface BudgetsConfig {
  /**
   * The budget period: month, quarter or year = the calendar month, quarter or year in UTC; terms = the admin-defined terms of budgets.terms. Spending starts from 0 each period (see carryOver).
   */
  period?: 'month' | 'quarter' | 'year' | 'terms';
  /**
   * The budget terms (period terms only), in order and not overlapping. Outside every term no budget period is open: starts that a budget would limit are refused with no_budget_term (docs/budgets.md).
   *
   * @minItems 1
   */
  terms?: [BudgetTerm, ...BudgetTerm[]];
  /**
   * What a budget left unused in the previous period is added to this period's amount (docs/budgets.md). Off by default.
   */
  carryOver?: {
    /**
     * true: the previous period's amount (configured or overridden, plus top-ups) minus what was spent then, never negative, is carried over. Carried units are not carried again. Unset: false.
     */
    enabled?: boolean;
    /**
     * At most this percentage of the previous period's amount is carried over; only with enabled. Unset: 100 (everything left).
     */
    maxPercent?: number;
  };
  /**
   * Budget of every user not listed in users; unset: users without an entry have no user budget.
   */
  defaultUser?: number;
  /**
   * Budget per user name (overrides defaultUser).
   */
  users?: {
    [k: string]: BudgetAmount;
  };
  /**
   * Budget per group name, shared by the sessions charged to the group (a session is charged to the user's first group, by name, that its profile lists).
   */
  groups?: {
    [k: string]: BudgetAmount;
  };
  /**
   * Percentages of a budget at which its users' running servers are told (the server's message, the culling API, the culler webhook); strictly ascending. Checked on the built-in culler's passes: setting it needs culler.enabled. Unset: 80 and 95 when the culler runs (docs/budgets.md).
   */
  warnAtPercent?: number[];
  /**
   * What happens to a running server when a budget it is charged to is used up (docs/budgets.md). New starts are refused in any case.
   */
  onExhausted?: {
    /**
     * none: the server keeps running; stop: warned, then stopped after graceSeconds (stop reason budget); downshift: warned, then moved to downshiftTo keeping its files. stop and downshift need culler.enabled.
     */
    action?: 'none' | 'stop' | 'downshift';
    /**
     * Slug of the cheaper profile a server is moved to (action downshift); it must be priced lower than another profile. A server already on a profile priced at or below it is stopped.
     */
    downshiftTo?: string;
    /**
     * Time between the warning and the action.
     */
    graceSeconds?: number;
  };
}
/**
 * One budget term: from its start (00:00 UTC) to the end of its end day, or, without end, until the next term starts (the last term needs an end).
 */
export interface BudgetTerm {
  /**
   * The term's name, unique (e.g. WS2026): letters, digits, space, dot, underscore, hyphen, starting with a letter or digit; shown in the budgets and usage API.
   */
  name: string;
  /**
   * First day of the term (YYYY-MM-DD, UTC).
   */
  start: string;
  /**
   * Last day of the term (YYYY-MM-DD, UTC, included); unset: the day before the next term starts.
   */
  end?: string;
}
/**
 * The built-in culler (docs/culler.md): stops servers idle too long or running too long. The external jupyterhub-idle-culler keeps working with or without it.
 */
export interface CullerConfig {
  /**
   * Run the built-in culler.
   */
  enabled?: boolean;
  /**
   * Time between two culler passes.
   */
  intervalSeconds?: number;
  /**
   * Stop a server after this long without activity (proxy activity, the server's activity reports); 0 disables. A profile's cull.idleTimeoutSeconds overrides it.
   */
  idleTimeoutSeconds?: number;
  /**
   * Stop a server this long after its start, whatever its activity; 0 disables. A profile's cull.maxAgeSeconds overrides it.
   */
  maxAgeSeconds?: number;
  /**
   * Remove named servers that are culled (not only stop them); the default server is never removed.
   */
  removeNamedServers?: boolean;
  /**
   * Warn this long before a web-idle or max-age stop (the server's message and GET …/server/culling), capped at the rule's timeout; 0: the warning still comes one pass before the stop. A profile's cull.warningSeconds overrides it.
   */
  warningSeconds?: number;
  webhook?: CullerWebhookConfig;
}
/**
 * The hub POSTs a JSON event to this URL on every culler warning and action, e.g. for an e-mail relay (docs/culler.md). One attempt per event; failures are logged.
 */
export interface CullerWebhookConfig {
  /**
   * Where the events are POSTed (http or https).
   */
  url: string;
  /**
   * Environment variable holding the signing key: each POST then carries X-Clusterhub-Signature: sha256=<hex HMAC-SHA256 of the body>. The variable must be set.
   */
  secretEnv?: string;
  /**
   * How long one delivery may take before it is given up.
   */
  timeoutSeconds?: number;
}
/**
 * The audit log (docs/audit.md): logins, server starts and stops, admin actions, kept in the hub's database and readable at GET /hub/api/clusterhub/audit.
 */
export interface AuditConfig {
  /**
   * Days an event is kept; older events are removed at start-up and once a day.
   */
  retentionDays?: number;
  /**
   * Also append every event to this file as one JSON object per line (created with mode 0600; relative paths are resolved against the config file's folder). Unset: the database only. Retention does not shorten the file: rotate it with the system's tools.
   */
  file?: string;
}
