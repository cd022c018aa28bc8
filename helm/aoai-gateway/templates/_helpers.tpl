{{/* Chart name. */}}
{{- define "aoai-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release name already contains the chart name. */}}
{{- define "aoai-gateway.fullname" -}}
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

{{- define "aoai-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aoai-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aoai-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "aoai-gateway.labels" -}}
helm.sh/chart: {{ include "aoai-gateway.chart" . }}
{{ include "aoai-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "aoai-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "aoai-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Refuses values that would deploy a broken or unsafe gateway. Included by the Deployment.
*/}}
{{- define "aoai-gateway.validate" -}}
{{- if not .Values.redis.enabled }}
{{- if gt (int .Values.replicaCount) 1 }}
{{- fail (printf "replicaCount is %d but redis.enabled is false: the in-memory state store (quotas, cooldowns, affinity) is exact for one replica only. Set redis.enabled=true (with redis.host) or replicaCount=1." (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) 1) }}
{{- fail (printf "autoscaling.maxReplicas is %d but redis.enabled is false: the in-memory state store (quotas, cooldowns, affinity) is exact for one replica only. Set redis.enabled=true (with redis.host) or autoscaling.maxReplicas=1." (int .Values.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}
{{- if and .Values.redis.enabled (not .Values.redis.host) }}
{{- fail "redis.enabled is true but redis.host is empty." }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas is greater than autoscaling.maxReplicas." }}
{{- end }}
{{- if and .Values.backends.apiKeyEnv (not .Values.backends.existingSecret) }}
{{- fail "backends.apiKeyEnv is set but backends.existingSecret is empty: name the Secret that holds the api-keys." }}
{{- end }}
{{- $routing := dig "aoai" "routing" (dict) .Values.config }}
{{- range $i, $backend := (dig "backends" (list) $routing) }}
{{- $key := toString (dig "api-key" "" $backend) }}
{{- if and $key (not (hasPrefix "${" $key)) }}
{{- fail (printf "config.aoai.routing.backends[%d].api-key is a literal value: write a placeholder such as ${SWEDENCENTRAL_API_KEY} and map it from backends.existingSecret (backends.apiKeyEnv)." $i) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Settings the chart owns: the state store and, with Redis, the connection URL. */}}
{{- define "aoai-gateway.stateConfig" -}}
{{- if .Values.redis.enabled }}
{{- /* Separate properties, not a URL: Azure Cache for Redis keys may hold '/' or '+'. */}}
{{- $redis := dict "host" .Values.redis.host "port" (int .Values.redis.port) "ssl" (dict "enabled" .Values.redis.tls) }}
{{- if .Values.redis.existingSecret }}
{{- $_ := set $redis "password" "${REDIS_PASSWORD}" }}
{{- if .Values.redis.username }}
{{- $_ := set $redis "username" .Values.redis.username }}
{{- end }}
{{- end }}
{{- dict "aoai" (dict "state" (dict "store" "redis")) "spring" (dict "data" (dict "redis" $redis)) | toYaml }}
{{- else }}
{{- dict "aoai" (dict "state" (dict "store" "memory")) | toYaml }}
{{- end }}
{{- end }}

{{/* The gateway's application.yaml: values.config with the chart's state settings on top. */}}
{{- define "aoai-gateway.applicationYaml" -}}
{{- $state := include "aoai-gateway.stateConfig" . | fromYaml }}
{{- mustMergeOverwrite (deepCopy .Values.config) $state | toYaml }}
{{- end }}
