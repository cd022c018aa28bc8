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
{{- if and .Values.identity.clientSecretEnv (not .Values.identity.existingSecret) }}
{{- fail "identity.clientSecretEnv is set but identity.existingSecret is empty: name the Secret that holds the client secrets." }}
{{- end }}
{{- include "aoai-gateway.validateWorkloadIdentity" . }}
{{- if and .Values.callerKeys.existingSecret .Values.redis.enabled }}
{{- fail "callerKeys.existingSecret is set but redis.enabled is true: with Redis, caller keys live in Redis; set config.aoai.caller-keys.enabled and manage them through the /gateway/keys admin endpoint instead." }}
{{- end }}
{{- /* Variables the container gets besides the config file; Spring binds e.g. AOAI_ROUTING_BACKENDS_0_APIKEY. */}}
{{- $env := list }}
{{- range (concat .Values.backends.apiKeyEnv .Values.identity.clientSecretEnv .Values.extraEnv) }}
{{- $env = append $env .name }}
{{- end }}
{{- $credentials := dig "aoai" "identity" "credentials" (dict) .Values.config }}
{{- $routing := dig "aoai" "routing" (dict) .Values.config }}
{{- range $i, $backend := (dig "backends" (list) $routing) }}
{{- $key := include "aoai-gateway.property" (list $backend "api-key" "apiKey" "api_key") }}
{{- if and $key (not (hasPrefix "${" $key)) }}
{{- fail (printf "config.aoai.routing.backends[%d].api-key is a literal value: write a placeholder such as ${SWEDENCENTRAL_API_KEY} and map it from backends.existingSecret (backends.apiKeyEnv)." $i) }}
{{- end }}
{{- $credential := include "aoai-gateway.property" (list $backend "credential") }}
{{- $name := include "aoai-gateway.property" (list $backend "name") }}
{{- $hasKey := or $key (has (printf "AOAI_ROUTING_BACKENDS_%d_APIKEY" $i) $env) }}
{{- $hasCredential := or $credential (has (printf "AOAI_ROUTING_BACKENDS_%d_CREDENTIAL" $i) $env) }}
{{- if and $hasKey $hasCredential }}
{{- fail (printf "config.aoai.routing.backends[%d] (%s) has both an api-key and a credential: give one of them, the credential for Entra ID tokens or the api-key for a key." $i $name) }}
{{- end }}
{{- if not (or $hasKey $hasCredential) }}
{{- fail (printf "config.aoai.routing.backends[%d] (%s) has neither an api-key nor a credential: set credential to a name under config.aoai.identity.credentials, or api-key to a placeholder such as ${SWEDENCENTRAL_API_KEY} mapped from backends.existingSecret." $i $name) }}
{{- end }}
{{- if and $credential (not (hasKey $credentials $credential)) }}
{{- fail (printf "config.aoai.routing.backends[%d].credential is %s but config.aoai.identity.credentials has no credential of that name." $i $credential) }}
{{- end }}
{{- end }}
{{- range $name, $credential := $credentials }}
{{- $secret := include "aoai-gateway.property" (list $credential "client-secret" "clientSecret" "client_secret") }}
{{- if and $secret (not (hasPrefix "${" $secret)) }}
{{- fail (printf "config.aoai.identity.credentials.%s.client-secret is a literal value: write a placeholder such as ${AOAI_IDENTITY_CLIENT_SECRET} and map it from identity.existingSecret (identity.clientSecretEnv)." $name) }}
{{- end }}
{{- $type := include "aoai-gateway.credentialType" $credential }}
{{- if and (eq $type "workload-identity") (not (include "aoai-gateway.workloadIdentityPod" $)) }}
{{- if $.Values.serviceAccount.create }}
{{- fail (printf "config.aoai.identity.credentials.%s is of type workload-identity but workloadIdentity.enabled is false: set workloadIdentity.enabled=true and workloadIdentity.clientId to the client id of the identity federated with ServiceAccount %s." $name (include "aoai-gateway.serviceAccountName" $)) }}
{{- else }}
{{- fail (printf "config.aoai.identity.credentials.%s is of type workload-identity but workloadIdentity.enabled is false: set workloadIdentity.enabled=true (it labels the pods for the AKS webhook) and annotate ServiceAccount %s with azure.workload.identity/client-id." $name (include "aoai-gateway.serviceAccountName" $)) }}
{{- end }}
{{- end }}
{{- if eq $type "client-certificate" }}
{{- if not $.Values.identity.certificateSecret }}
{{- fail (printf "config.aoai.identity.credentials.%s is of type client-certificate but identity.certificateSecret is empty: name the Secret that holds the PEM file (certificate and private key); it is mounted at %s." $name (include "aoai-gateway.certificateDirectory" $)) }}
{{- end }}
{{- $path := include "aoai-gateway.property" (list $credential "certificate-path" "certificatePath" "certificate_path") }}
{{- if and $path (not (hasPrefix (printf "%s/" (include "aoai-gateway.certificateDirectory" $)) $path)) }}
{{- fail (printf "config.aoai.identity.credentials.%s.certificate-path is %s, outside %s where identity.certificateSecret is mounted." $name $path (include "aoai-gateway.certificateDirectory" $)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Workload identity values that contradict each other or the ServiceAccount. */}}
{{- define "aoai-gateway.validateWorkloadIdentity" -}}
{{- $wi := .Values.workloadIdentity }}
{{- if and (not .Values.serviceAccount.create) (or $wi.clientId $wi.tenantId) }}
{{- fail (printf "workloadIdentity.clientId or tenantId is set but serviceAccount.create is false: the chart annotates only a ServiceAccount it creates. Annotate ServiceAccount %s with azure.workload.identity/client-id (and tenant-id) yourself and leave them empty." (include "aoai-gateway.serviceAccountName" .)) }}
{{- end }}
{{- if $wi.enabled }}
{{- range $annotation, $value := (dict "azure.workload.identity/client-id" $wi.clientId "azure.workload.identity/tenant-id" $wi.tenantId) }}
{{- $given := dig $annotation "" $.Values.serviceAccount.annotations }}
{{- if and $value $given (ne $value $given) }}
{{- fail (printf "serviceAccount.annotations sets %s to %s but workloadIdentity sets %s: drop the annotation, the chart adds it." $annotation $given $value) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A property of a config map under any of the spellings Spring binds (kebab, camel, snake), as a
string; empty when absent. Arguments: the map, then the spellings.
*/}}
{{- define "aoai-gateway.property" -}}
{{- $map := first . }}
{{- if kindIs "map" $map }}
{{- $found := "" }}
{{- range (rest .) }}
{{- if and (not $found) (hasKey $map .) (not (kindIs "invalid" (get $map .))) }}
{{- $found = toString (get $map .) }}
{{- end }}
{{- end }}
{{- $found }}
{{- end }}
{{- end }}

{{/* A credential's type in kebab case, as Spring binds it: WORKLOAD_IDENTITY is workload-identity. */}}
{{- define "aoai-gateway.credentialType" -}}
{{- include "aoai-gateway.property" (list . "type") | lower | replace "_" "-" }}
{{- end }}

{{/* Non-empty when the pods carry the label the AKS workload identity webhook acts on. */}}
{{- define "aoai-gateway.workloadIdentityPod" -}}
{{- if or .Values.workloadIdentity.enabled (eq (toString (dig "azure.workload.identity/use" "" .Values.podLabels)) "true") }}true{{ end }}
{{- end }}

{{/* Where identity.certificateSecret is mounted. */}}
{{- define "aoai-gateway.certificateDirectory" -}}
/var/run/secrets/aoai-identity
{{- end }}

{{/* The ServiceAccount's annotations: serviceAccount.annotations plus the workload identity ones. */}}
{{- define "aoai-gateway.serviceAccountAnnotations" -}}
{{- $annotations := deepCopy .Values.serviceAccount.annotations }}
{{- if .Values.workloadIdentity.enabled }}
{{- with .Values.workloadIdentity.clientId }}
{{- $_ := set $annotations "azure.workload.identity/client-id" . }}
{{- end }}
{{- with .Values.workloadIdentity.tenantId }}
{{- $_ := set $annotations "azure.workload.identity/tenant-id" . }}
{{- end }}
{{- end }}
{{- if $annotations }}
{{- toYaml $annotations }}
{{- end }}
{{- end }}

{{/* The pod template's own labels: podLabels plus the one the AKS workload identity webhook acts on. */}}
{{- define "aoai-gateway.podLabels" -}}
{{- $labels := deepCopy .Values.podLabels }}
{{- if .Values.workloadIdentity.enabled }}
{{- $_ := set $labels "azure.workload.identity/use" "true" }}
{{- end }}
{{- if $labels }}
{{- toYaml $labels }}
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

{{/* Where callerKeys.existingSecret is mounted. */}}
{{- define "aoai-gateway.callerKeysDirectory" -}}
/var/run/secrets/aoai-caller-keys
{{- end }}

{{/* The gateway's application.yaml: values.config with the chart's state and caller-key settings on top. */}}
{{- define "aoai-gateway.applicationYaml" -}}
{{- $config := mustMergeOverwrite (deepCopy .Values.config) (include "aoai-gateway.stateConfig" . | fromYaml) }}
{{- if .Values.callerKeys.existingSecret }}
{{- $file := printf "%s/%s" (include "aoai-gateway.callerKeysDirectory" .) .Values.callerKeys.secretKey }}
{{- $config = mustMergeOverwrite $config (dict "aoai" (dict "caller-keys" (dict "enabled" true "file" $file))) }}
{{- end }}
{{- $config | toYaml }}
{{- end }}
