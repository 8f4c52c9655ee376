{{/* The release's object name prefix (63 characters at most, as DNS labels). */}}
{{- define "clusterhub.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A name for one of the release's objects: <fullname>-<suffix>, 63 characters at most. */}}
{{- define "clusterhub.name" -}}
{{- printf "%s-%s" (include "clusterhub.fullname" .root | trunc (int (sub 62 (len .suffix))) | trimSuffix "-") .suffix -}}
{{- end -}}

{{/* Labels of every object of the release. */}}
{{- define "clusterhub.labels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The labels that select the hub pod (stable across upgrades). */}}
{{- define "clusterhub.hubSelectorLabels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: hub
{{- end -}}

{{/* The labels that select the configurable-http-proxy pod (proxy.kind chp). */}}
{{- define "clusterhub.proxySelectorLabels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: proxy
{{- end -}}

{{/* True (non-empty) when configurable-http-proxy runs in its own Deployment (proxy.kind chp). */}}
{{- define "clusterhub.chp" -}}
{{- if eq (.Values.proxy.kind | default "builtin") "chp" -}}true{{- end -}}
{{- end -}}

{{/*
"true" with proxy.https.enabled: the hub's built-in proxy serves HTTPS with the Secret's
certificate (mounted at clusterhub.tlsDir, hub.config.hub.tls set by the chart). Fails for what
cannot go with it: configurable-http-proxy, an Ingress (TLS there: ingress.tls), no Secret name, a
hub.config.hub.tls of its own.
*/}}
{{- define "clusterhub.https" -}}
{{- $https := .Values.proxy.https | default dict -}}
{{- if $https.enabled -}}
{{- if include "clusterhub.chp" . -}}{{- fail "proxy.https.enabled with proxy.kind chp: HTTPS is served by the hub's built-in proxy here (proxy.kind builtin), or by an Ingress (ingress.tls)" -}}{{- end -}}
{{- if .Values.ingress.enabled -}}{{- fail "proxy.https.enabled with ingress.enabled: the Ingress reaches proxy-public over plain HTTP; terminate TLS at the Ingress (ingress.tls) and leave proxy.https.enabled false" -}}{{- end -}}
{{- if not ($https.secret | default dict).name -}}{{- fail "proxy.https.enabled needs proxy.https.secret.name: the Secret with the certificate and key (e.g. of type kubernetes.io/tls)" -}}{{- end -}}
{{- if ((.Values.hub.config.hub | default dict).tls) -}}{{- fail "proxy.https.enabled and hub.config.hub.tls are both set: the chart sets hub.tls to the mounted Secret; remove hub.config.hub.tls" -}}{{- end -}}
true
{{- end -}}
{{- end -}}

{{/* Where the proxy.https Secret is mounted in the hub container. */}}
{{- define "clusterhub.tlsDir" -}}/etc/clusterhub-tls{{- end -}}

{{/* configurable-http-proxy's ports in its pod: public (proxy-public) and API (the hub only). */}}
{{- define "clusterhub.chpPort" -}}8000{{- end -}}
{{- define "clusterhub.chpApiPort" -}}8001{{- end -}}

{{/* The environment variable the hub reads the PostgreSQL URL from (hub.db.existingSecret). */}}
{{- define "clusterhub.dbUrlEnv" -}}CLUSTERHUB_DB_URL{{- end -}}

{{/* The hub's ServiceAccount. */}}
{{- define "clusterhub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "clusterhub.name" (dict "root" . "suffix" "hub")) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The hub's ports and base URL, read from hub.config (the hub's defaults where unset). */}}
{{- define "clusterhub.publicPort" -}}
{{- $hub := .Values.hub.config.hub | default dict -}}
{{- (($hub.public | default dict).port | default 8000) | int -}}
{{- end -}}
{{- define "clusterhub.internalPort" -}}
{{- $hub := .Values.hub.config.hub | default dict -}}
{{- (($hub.internal | default dict).port | default 8081) | int -}}
{{- end -}}
{{- define "clusterhub.baseUrl" -}}
{{- (.Values.hub.config.hub | default dict).baseUrl | default "/" -}}
{{- end -}}

{{/* The database kind of hub.config (sqlite unless set; postgres with hub.db.existingSecret). */}}
{{- define "clusterhub.dbKind" -}}
{{- if (.Values.hub.db | default dict).existingSecret -}}
postgres
{{- else -}}
{{- (.Values.hub.config.db | default dict).kind | default "sqlite" -}}
{{- end -}}
{{- end -}}

{{/* The hub's data folder in its container. */}}
{{- define "clusterhub.dataDir" -}}
{{- (.Values.hub.config.hub | default dict).dataDir | default "/srv/clusterhub" -}}
{{- end -}}

{{/*
The hub's configuration file: hub.config as given, with what only the release knows filled in where
unset: hub.dataDir (/srv/clusterhub, the data volume) and hub.connectUrl (the hub Service, which user
servers call; in a pod the internal listener's 0.0.0.0 is no address to call). With
hub.db.existingSecret, db becomes { kind: postgres, urlEnv: CLUSTERHUB_DB_URL } (the URL comes from
that Secret through the container's environment); with proxy.kind chp, proxy gets kind chp and the
proxy-api Service as apiUrl (its token: CONFIGPROXY_AUTH_TOKEN, the proxy's authTokenEnv default).
With rbac.create, rbac.readNodes and rbac.readAllPods (the ClusterRole reads pods everywhere), each
kubernetes backend gets capacityPods: cluster where unset.
*/}}
{{- define "clusterhub.hubConfig" -}}
{{- $cfg := deepCopy .Values.hub.config -}}
{{- $hub := $cfg.hub | default dict -}}
{{- if not $hub.dataDir -}}{{- $_ := set $hub "dataDir" "/srv/clusterhub" -}}{{- end -}}
{{- if not $hub.connectUrl -}}
{{- $_ := set $hub "connectUrl" (printf "http://%s.%s.svc:%d%s" (include "clusterhub.name" (dict "root" . "suffix" "hub")) .Release.Namespace (include "clusterhub.internalPort" . | int) (include "clusterhub.baseUrl" .)) -}}
{{- end -}}
{{- if include "clusterhub.https" . -}}
{{- $_ := set $hub "tls" (dict "certFile" (printf "%s/tls.crt" (include "clusterhub.tlsDir" .)) "keyFile" (printf "%s/tls.key" (include "clusterhub.tlsDir" .))) -}}
{{- end -}}
{{- $_ := set $cfg "hub" $hub -}}
{{- if and .Values.rbac.create .Values.rbac.readNodes .Values.rbac.readAllPods -}}
{{- range $name, $b := ($cfg.backends | default dict) -}}
{{- if and $b (eq ($b.kind | toString) "kubernetes") $b.kubernetes -}}
{{- if not (hasKey $b.kubernetes "capacityPods") -}}{{- $_ := set $b.kubernetes "capacityPods" "cluster" -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if (.Values.hub.db | default dict).existingSecret -}}
{{- $db := $cfg.db | default dict -}}
{{- if or $db.url $db.urlEnv -}}
{{- fail "hub.db.existingSecret and hub.config.db.url (or urlEnv) are both set: the URL comes from one place; remove hub.config.db.url" -}}
{{- end -}}
{{- $_ := set $cfg "db" (dict "kind" "postgres" "urlEnv" (include "clusterhub.dbUrlEnv" .)) -}}
{{- end -}}
{{- if include "clusterhub.chp" . -}}
{{- $proxy := $cfg.proxy | default dict -}}
{{- if and $proxy.kind (ne ($proxy.kind | toString) "chp") -}}
{{- fail (printf "proxy.kind is chp but hub.config.proxy.kind is %s: leave hub.config.proxy.kind unset (the chart sets it)" $proxy.kind) -}}
{{- end -}}
{{- $_ := set $proxy "kind" "chp" -}}
{{- if not $proxy.apiUrl -}}
{{- $_ := set $proxy "apiUrl" (printf "http://%s.%s.svc:%s" (include "clusterhub.name" (dict "root" . "suffix" "proxy-api")) .Release.Namespace (include "clusterhub.chpApiPort" .)) -}}
{{- end -}}
{{- $_ := set $cfg "proxy" $proxy -}}
{{- else if eq ((($cfg.proxy | default dict).kind) | default "builtin" | toString) "chp" -}}
{{- fail "hub.config.proxy.kind is chp but the chart runs no configurable-http-proxy: set proxy.kind: chp (and leave hub.config.proxy.kind unset)" -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
What the hub's identity needs in each namespace, from hub.config.backends, as YAML:
  <namespace>: {pods: true, claims: <a backend there has storage>, exporterPods: <dcgm exporters listed there>}
Kubernetes backends manage pods (and claims with storage) in their namespace and watch its events;
a dcgmExporter with namespace + labelSelector lists the exporter pods of its namespace.
*/}}
{{- define "clusterhub.namespaceNeeds" -}}
{{- $needs := dict -}}
{{- range $name, $b := (.Values.hub.config.backends | default dict) -}}
{{- if and $b (eq ($b.kind | toString) "kubernetes") $b.kubernetes -}}
{{- $k := $b.kubernetes -}}
{{- $n := get $needs $k.namespace | default dict -}}
{{- $_ := set $n "pods" true -}}
{{- if $k.storage -}}{{- $_ := set $n "claims" true -}}{{- end -}}
{{- $_ := set $needs $k.namespace $n -}}
{{- if and $k.dcgmExporter $k.dcgmExporter.namespace -}}
{{- $e := get $needs $k.dcgmExporter.namespace | default dict -}}
{{- $_ := set $e "exporterPods" true -}}
{{- $_ := set $needs $k.dcgmExporter.namespace $e -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $needs -}}
{{- end -}}
