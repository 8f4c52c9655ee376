import type { ResolvedKubernetesBackend } from './kubernetes-backend';
import type { ProfileConfig } from '@clusterhub/shared';

/**
 * The configuration after defaults are applied and paths resolved: every setting has a value.
 * Produced by `loadConfig` (config/load.ts) from the YAML file validated against
 * `schema/config/hub-config.schema.json`; frozen; the only config type the rest of the hub sees.
 */
export interface ResolvedConfig {
  readonly hub: {
    readonly public: { readonly ip: string; readonly port: number };
    readonly internal: { readonly ip: string; readonly port: number };
    /** URL (ending in `/hub/`) servers use to reach the hub; derived from `internal` unless set. */
    readonly connectUrl: string | null;
    readonly baseUrl: string;
    /** Absolute path of the data folder. */
    readonly dataDir: string;
    readonly version: string;
    readonly cookieMaxAgeDays: number;
    readonly apiPageDefaultLimit: number;
    readonly apiPageMaxLimit: number;
    readonly maxBodyBytes: number;
    readonly allowNamedServers: boolean;
    readonly namedServerLimitPerUser: number;
    readonly concurrentSpawnLimit: number;
    readonly activeServerLimit: number;
    readonly startTimeoutSeconds: number;
    readonly httpTimeoutSeconds: number;
    readonly slowSpawnTimeoutSeconds: number;
    readonly slowStopTimeoutSeconds: number;
    readonly pollIntervalSeconds: number;
    readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
    readonly authenticatePrometheus: boolean;
    /** HTTPS on the public listener: the certificate and key files (absolute); null: plain HTTP. */
    readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
    /** Export prom-client's `process_*` and `nodejs_*` metrics on /hub/metrics too. */
    readonly processMetrics: boolean;
    /** CIDR blocks of proxies whose X-Forwarded-* are believed (the built-in proxy always is). */
    readonly trustedProxies: readonly string[];
    /** Secure attribute of the hub's cookies: `auto` follows the client's scheme. */
    readonly cookieSecure: 'auto' | 'true' | 'false';
  };
  readonly db:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'postgres'; readonly url: string };
  readonly proxy:
    | { readonly kind: 'builtin'; readonly checkRoutesIntervalSeconds: number; readonly lastActivityIntervalSeconds: number }
    | {
        readonly kind: 'chp';
        readonly apiUrl: string;
        /** The token itself (resolved from authToken or authTokenEnv). */
        readonly authToken: string;
        readonly checkRoutesIntervalSeconds: number;
        readonly lastActivityIntervalSeconds: number;
      };
  readonly auth: {
    readonly kind: 'local' | 'oidc' | 'ldap' | 'pam';
    readonly admins: readonly string[];
    /** Hub groups whose members are admins, decided at every login (when the authenticator does not decide). */
    readonly adminGroups: readonly string[];
    readonly initialAdmin: string;
    readonly loginThrottle: { readonly freeFailures: number; readonly maxDelaySeconds: number };
    /** The OpenID Connect / OAuth2 login (`auth.oidc`); null unless `auth.kind` is oidc. */
    readonly oidc: ResolvedOidcConfig | null;
    /** The LDAP login (`auth.ldap`); null unless `auth.kind` is ldap. */
    readonly ldap: ResolvedLdapConfig | null;
    /** The PAM login (`auth.pam`); null unless `auth.kind` is pam. */
    readonly pam: ResolvedPamConfig | null;
  };
  readonly spawner: {
    readonly kind: 'local-process';
    readonly cmd: readonly string[];
    readonly args: readonly string[];
    readonly environment: Readonly<Record<string, string>>;
    readonly envKeep: readonly string[];
    readonly ip: string;
    /** Template with `{home}`, `{account}` or `{username}`; absolute unless it starts with `{home}`. */
    readonly workDir: string;
    /** Create missing Unix accounts (hub running as root). */
    readonly createSystemUsers: boolean;
    /** Unix account name template with `{username}`. */
    readonly systemUserTemplate: string;
    /** Lowest uid a server may run as. */
    readonly minUid: number;
    /** The hub's folder for server logs: `<dataDir>/logs`. */
    readonly logDir: string;
    readonly defaultUrl: string;
  };
  /** Named batch backends besides `default` (the `spawner` section); a profile picks one with `backend`. */
  readonly backends: Readonly<Record<string, ResolvedBatchBackend>>;
  readonly profiles: readonly ProfileConfig[];
  readonly services: readonly {
    readonly name: string;
    /** The token itself (resolved from apiToken or apiTokenEnv), or null when none is configured. */
    readonly apiToken: string | null;
    readonly scopes: readonly string[];
    readonly admin: boolean;
  }[];
  /** GPU samples per user server (docs/gpu-metrics.md). */
  readonly gpuMetrics: {
    readonly enabled: boolean;
    /** The nvidia-smi program: a bare name (PATH lookup) or an absolute path. */
    readonly nvidiaSmi: string;
    /** The nvidia-smi program on Slurm compute nodes: an absolute path there or a bare name (the job step's PATH). */
    readonly nodeNvidiaSmi: string;
    readonly intervalSeconds: number;
    readonly commandTimeoutSeconds: number;
    readonly historyMinutes: number;
    /** Utilisation (percent) from which a device is busy. */
    readonly idleThresholdPercent: number;
  };
  /** Compute-unit budgets (docs/budgets.md). */
  readonly budgets: ResolvedBudgetsConfig;
  /** The built-in culler (docs/culler.md); a profile's `cull` section overrides the timeouts. */
  readonly culler: {
    readonly enabled: boolean;
    readonly intervalSeconds: number;
    readonly idleTimeoutSeconds: number;
    readonly maxAgeSeconds: number;
    readonly removeNamedServers: boolean;
    /** Warning before a web-idle or max-age stop, seconds (a profile's `cull.warningSeconds` overrides it). */
    readonly warningSeconds: number;
    /** Where warnings and actions are POSTed, with the signing key read from `secretEnv`; null: none. */
    readonly webhook: { readonly url: string; readonly secret: string | null; readonly timeoutSeconds: number } | null;
  };
  /** The audit log (docs/audit.md). */
  readonly audit: {
    readonly retentionDays: number;
    /** Absolute path of the JSON-lines copy; null: none. */
    readonly file: string | null;
  };
}

/** One entry of `backends` resolved: defaults filled, the SSH private key read (docs/slurm.md). */
export interface ResolvedBatchBackend {
  /** Its key in `backends`. */
  readonly name: string;
  readonly kind: 'slurm' | 'pbs' | 'kubernetes';
  /** The pod settings and API connection of a `kubernetes` backend; null for a batch scheduler. */
  readonly kubernetes: ResolvedKubernetesBackend | null;
  readonly transport: 'ssh' | 'local';
  /** Login nodes; null for the local transport. */
  readonly ssh: {
    readonly hosts: readonly string[];
    readonly user: string;
    /** The operator's private key itself (from privateKeyFile or privateKeyEnv). */
    readonly privateKey: string;
    /** Pinned `SHA256:` fingerprints of the login nodes' host keys; any other key is refused. */
    readonly hostKeys: readonly string[];
    readonly connectTimeoutSeconds: number;
    readonly keepaliveSeconds: number;
  } | null;
  readonly sudo: boolean;
  readonly commandDir: string;
  readonly userTemplate: string;
  /** Home folder template with `{account}`. */
  readonly home: string;
  readonly cmd: readonly string[];
  readonly path: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly output: string;
  readonly pollIntervalSeconds: number;
  readonly startGraceSeconds: number;
  readonly cacheSeconds: number;
  /** Notice before the time limit ends and the extension users may ask for. */
  readonly walltime: { readonly noticeMinutes: number; readonly extensionMinutes: number; readonly maxExtensions: number };
}

/** `budgets` resolved: amounts in compute units per period; null means no budget of that kind. */
export interface ResolvedBudgetsConfig {
  /** month, quarter, year (calendar, UTC) or terms (`terms`). */
  readonly period: 'month' | 'quarter' | 'year' | 'terms';
  /** `budgets.terms` in order (period terms; else empty), each `[start, end)`. */
  readonly terms: readonly ResolvedBudgetTerm[];
  /** `budgets.carryOver`: what was left of the previous period is added (at most maxPercent % of its amount). */
  readonly carryOver: { readonly enabled: boolean; readonly maxPercent: number };
  readonly defaultUser: number | null;
  readonly users: Readonly<Record<string, number>>;
  readonly groups: Readonly<Record<string, number>>;
  /** Percentages (ascending, 1..99) at which running servers are told how much of a budget is used. */
  readonly warnAtPercent: readonly number[];
  /** What happens to a running server when a budget it is charged to is used up. */
  readonly onExhausted: ResolvedOnExhausted;
}

/** One budget term: from `start` (midnight UTC of its first day) to `end` (exclusive: the day after its last day, or the next term's start). */
export interface ResolvedBudgetTerm {
  readonly name: string;
  readonly start: Date;
  readonly end: Date;
}

/** `budgets.onExhausted` resolved (`downshiftTo`: null unless the action is `downshift`). */
export interface ResolvedOnExhausted {
  readonly action: 'none' | 'stop' | 'downshift';
  readonly downshiftTo: string | null;
  readonly graceSeconds: number;
}

/** `auth.oidc` resolved: the client secret read from its variable, defaults filled in. */
export interface ResolvedOidcConfig {
  /** `oidc` checks an ID token; `oauth2` takes the identity from the userinfo endpoint only. */
  readonly protocol: 'oidc' | 'oauth2';
  /** Issuer URL (discovery); null with explicit endpoints only. */
  readonly issuer: string | null;
  readonly authorizationUrl: string | null;
  readonly tokenUrl: string | null;
  readonly userinfoUrl: string | null;
  readonly jwksUrl: string | null;
  readonly clientId: string;
  /** From `clientSecret` or the variable `clientSecretEnv`; null for a public client (PKCE only). */
  readonly clientSecret: string | null;
  /** The redirect URI registered at the provider; null: derived from each request. */
  readonly callbackUrl: string | null;
  readonly scopes: readonly string[];
  /** Dotted claim path of the user name. */
  readonly usernameClaim: string;
  /** Dotted claim path of the group list. */
  readonly groupsClaim: string;
  readonly allowAll: boolean;
  readonly allowedUsers: readonly string[];
  readonly allowedGroups: readonly string[];
  readonly adminGroups: readonly string[];
  /** The user's hub groups become the claim's groups at every login. */
  readonly manageGroups: boolean;
  /** Shown as "Sign in with <displayName>". */
  readonly displayName: string;
  readonly timeoutSeconds: number;
  /** Seconds between group refreshes with the provider's refresh token; 0: off (groups read at login only). */
  readonly refreshGroupsSeconds: number;
  /** More query parameters of the authorization request (e.g. `prompt: consent`); never those the hub sets. */
  readonly extraAuthorizeParams: Readonly<Record<string, string>>;
}

/** `auth.ldap` resolved: defaults filled in, the service password read from its variable, `caFile` absolute. */
export interface ResolvedLdapConfig {
  /** `ldaps://host[:port]` or `ldap://host[:port]`. */
  readonly url: string;
  readonly startTls: boolean;
  /** Absolute path of the CA bundle; null: the system's CAs. */
  readonly caFile: string | null;
  readonly allowInsecure: boolean;
  readonly timeoutSeconds: number;
  /** Bind DN with `{username}`; null when `userSearch` finds the user. */
  readonly userDnTemplate: string | null;
  /** Search-then-bind; null with a DN template. */
  readonly userSearch: {
    readonly baseDn: string;
    /** Filter with `{username}`. */
    readonly filter: string;
    readonly bindDn: string;
    /** From the variable `bindPasswordEnv`. */
    readonly bindPassword: string;
  } | null;
  /** Where the user's groups are read; null: no directory groups. */
  readonly groupSearch: {
    readonly baseDn: string;
    /** Filter with `{dn}` and/or `{username}`. */
    readonly filter: string;
    readonly nameAttribute: string;
  } | null;
  readonly allowAll: boolean;
  readonly allowedUsers: readonly string[];
  readonly allowedGroups: readonly string[];
  readonly adminGroups: readonly string[];
  /** The user's hub groups become the directory groups at every login. */
  readonly manageGroups: boolean;
}

/** `auth.pam` resolved: defaults filled in, the helper's Python chosen. */
export interface ResolvedPamConfig {
  /** The PAM service (`/etc/pam.d/<service>`). */
  readonly service: string;
  /** The Python that runs the helper (absolute, or `python3` from PATH). */
  readonly python: string;
  readonly timeoutSeconds: number;
  /** Accounts below this uid may not sign in. */
  readonly minUid: number;
  readonly allowAll: boolean;
  readonly allowedUsers: readonly string[];
  /** Unix groups. */
  readonly allowedGroups: readonly string[];
  readonly adminGroups: readonly string[];
  /** The user's hub groups become the account's Unix groups at every login. */
  readonly manageGroups: boolean;
}
