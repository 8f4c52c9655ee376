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

{{/* The database kind of hub.config (sqlite unless set). */}}
{{- define "clusterhub.dbKind" -}}
{{- (.Values.hub.config.db | default dict).kind | default "sqlite" -}}
{{- end -}}

{{/* The hub's data folder in its container. */}}
{{- define "clusterhub.dataDir" -}}
{{- (.Values.hub.config.hub | default dict).dataDir | default "/srv/clusterhub" -}}
{{- end -}}

{{/*
The hub's configuration file: hub.config as given, with what only the release knows filled in where
unset: hub.dataDir (/srv/clusterhub, the data volume) and hub.connectUrl (the hub Service, which user
servers call; in a pod the internal listener's 0.0.0.0 is no address to call).
*/}}
{{- define "clusterhub.hubConfig" -}}
{{- $cfg := deepCopy .Values.hub.config -}}
{{- $hub := $cfg.hub | default dict -}}
{{- if not $hub.dataDir -}}{{- $_ := set $hub "dataDir" "/srv/clusterhub" -}}{{- end -}}
{{- if not $hub.connectUrl -}}
{{- $_ := set $hub "connectUrl" (printf "http://%s.%s.svc:%d%s" (include "clusterhub.name" (dict "root" . "suffix" "hub")) .Release.Namespace (include "clusterhub.internalPort" . | int) (include "clusterhub.baseUrl" .)) -}}
{{- end -}}
{{- $_ := set $cfg "hub" $hub -}}
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
