{{/*
The chart's name, or nameOverride.
*/}}
{{- define "mcp-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A fully qualified app name, 63 characters at most (DNS label limit). The release name is
used alone when it already contains the chart name.
*/}}
{{- define "mcp-platform.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "mcp-platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "mcp-platform.labels" -}}
helm.sh/chart: {{ include "mcp-platform.chart" . }}
{{ include "mcp-platform.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mcp-platform
{{- end }}

{{/*
Selector labels (never change them: Deployment selectors are immutable).
*/}}
{{- define "mcp-platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mcp-platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount's name.
*/}}
{{- define "mcp-platform.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mcp-platform.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: repository@digest, or repository:tag (tag defaults to appVersion). The tag
may be given as a number (--set image.tag=2): it is printed as text.
*/}}
{{- define "mcp-platform.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- $tag := toString .Values.image.tag }}
{{- printf "%s:%s" .Values.image.repository (ternary .Chart.AppVersion $tag (eq $tag "")) }}
{{- end }}
{{- end }}

{{/*
MCP_ALLOWED_HOSTS: the Host names clients use to reach the pods. The app refuses any other
Host on MCP routes (DNS-rebinding protection), so the Service's in-cluster names and the
Ingress hosts are always added.
*/}}
{{- define "mcp-platform.allowedHosts" -}}
{{- $fullname := include "mcp-platform.fullname" . }}
{{- $namespace := .Release.Namespace }}
{{- $hosts := list "localhost" "127.0.0.1" "[::1]" $fullname (printf "%s.%s" $fullname $namespace) (printf "%s.%s.svc" $fullname $namespace) (printf "%s.%s.svc.%s" $fullname $namespace .Values.clusterDomain) }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- end }}
{{- $hosts = concat $hosts .Values.app.allowedHosts }}
{{- join "," (uniq $hosts) }}
{{- end }}

{{/*
Whether sessions are shared between pods: Redis (a URL, sentinels or cluster nodes), or no
sessions at all (stateless).
*/}}
{{- define "mcp-platform.sharedSessions" -}}
{{- $sentinel := and (eq .Values.redis.mode "sentinel") .Values.redis.sentinels }}
{{- $cluster := and (eq .Values.redis.mode "cluster") .Values.redis.clusterNodes }}
{{- if or .Values.redis.url .Values.redis.existingSecret $sentinel $cluster (eq .Values.app.sessionMode "stateless") }}true{{- end }}
{{- end }}

{{/*
Where each secret comes from: the chart's Secret (<fullname>) with a fixed key, or an existing
Secret with the key named in values. The chart's Secret holds only what no existing Secret gives.
*/}}
{{- define "mcp-platform.redisSecretName" -}}
{{- default (include "mcp-platform.fullname" .) .Values.redis.existingSecret }}
{{- end }}

{{- define "mcp-platform.redisSecretKey" -}}
{{- if .Values.redis.existingSecret }}{{ .Values.redis.existingSecretKey }}{{ else }}redis-url{{ end }}
{{- end }}

{{- define "mcp-platform.metricsSecretName" -}}
{{- default (include "mcp-platform.fullname" .) .Values.metrics.existingSecret }}
{{- end }}

{{- define "mcp-platform.metricsSecretKey" -}}
{{- if .Values.metrics.existingSecret }}{{ .Values.metrics.existingSecretKey }}{{ else }}metrics-key{{ end }}
{{- end }}

{{- define "mcp-platform.configSecretName" -}}
{{- default (include "mcp-platform.fullname" .) .Values.existingConfigSecret }}
{{- end }}

{{- define "mcp-platform.configSecretKey" -}}
{{- if .Values.existingConfigSecret }}{{ .Values.existingConfigSecretKey }}{{ else }}config.yaml{{ end }}
{{- end }}

{{- define "mcp-platform.stateKeysSecretName" -}}
{{- default (include "mcp-platform.fullname" .) .Values.stateKeys.existingSecret }}
{{- end }}

{{- define "mcp-platform.stateKeysSecretKey" -}}
{{- if .Values.stateKeys.existingSecret }}{{ .Values.stateKeys.existingSecretKey }}{{ else }}state-keys{{ end }}
{{- end }}

{{/*
Whether each secret is set at all (from values or an existing Secret): "true" or empty.
*/}}
{{- define "mcp-platform.hasConfig" -}}
{{- if or .Values.config .Values.existingConfigSecret }}true{{- end }}
{{- end }}

{{- define "mcp-platform.hasRedisUrl" -}}
{{- if or .Values.redis.url .Values.redis.existingSecret }}true{{- end }}
{{- end }}

{{- define "mcp-platform.hasMetricsKey" -}}
{{- if or .Values.metrics.key .Values.metrics.existingSecret }}true{{- end }}
{{- end }}

{{- define "mcp-platform.hasStateKeys" -}}
{{- if or .Values.stateKeys.keys .Values.stateKeys.existingSecret }}true{{- end }}
{{- end }}

{{/*
A map whose values Kubernetes wants as strings (annotations, labels), whatever type --set gave them.
*/}}
{{- define "mcp-platform.stringMap" -}}
{{- range $key, $value := . }}
{{ $key }}: {{ toString $value | quote }}
{{- end }}
{{- end }}

{{/*
Refuses values that cannot work, each with a message naming the values to set. Type and shape
are checked earlier by values.schema.json.
*/}}
{{- define "mcp-platform.validate" -}}
{{- $shared := include "mcp-platform.sharedSessions" . }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) 1) (not $shared) }}
{{- fail (printf "autoscaling.enabled=true (up to %d replicas) needs a shared session store: set redis.url (or redis.existingSecret, redis.sentinels or redis.clusterNodes), or app.sessionMode=stateless. In-memory sessions live in one pod only." (int .Values.autoscaling.maxReplicas)) }}
{{- end }}
{{- if and (not .Values.autoscaling.enabled) (gt (int .Values.replicaCount) 1) (not $shared) }}
{{- fail (printf "replicaCount=%d needs a shared session store: set redis.url (or redis.existingSecret, redis.sentinels or redis.clusterNodes), or app.sessionMode=stateless. In-memory sessions live in one pod only." (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.config .Values.existingConfigSecret }}
{{- fail "Set config or existingConfigSecret, not both: the app reads one MCP_CONFIG file. Put the whole configuration in the existing Secret." }}
{{- end }}
{{- $auth := (get (.Values.config | default dict) "auth") | default dict }}
{{- if and (not .Values.auth.allowAnonymous) (not $auth.apiKeys) (not $auth.jwt) (not .Values.existingConfigSecret) }}
{{- fail "Authentication is required: give API keys (config.auth.apiKeys, from npm run keygen) or a JWT issuer (config.auth.jwt), or a whole config in existingConfigSecret, or set auth.allowAnonymous=true for a platform behind something that authenticates." }}
{{- end }}
{{- if ge (add .Values.shutdown.preStopSleepSeconds .Values.shutdown.graceSeconds) (int .Values.terminationGracePeriodSeconds) }}
{{- fail "shutdown.preStopSleepSeconds + shutdown.graceSeconds must stay below terminationGracePeriodSeconds, or Kubernetes kills the pod before it has drained." }}
{{- end }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.paths }}
{{- if or (eq (trimSuffix "/" .) "") (hasPrefix "/metrics" .) }}
{{- fail (printf "ingress.paths: %q would publish /metrics through the Ingress; list the MCP paths instead (/mcp, /tenants, /sse, /messages, /tools, /.well-known/oauth-protected-resource)." .) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
