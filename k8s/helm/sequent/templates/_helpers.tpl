{{/* Names and labels shared by every template. */}}
{{- define "sequent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sequent.fullname" -}}
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

{{/* "sequent.component.fullname" (dict "root" $ "component" "correlator") */}}
{{- define "sequent.componentName" -}}
{{- printf "%s-%s" (include "sequent.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sequent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "sequent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sequent
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "sequent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sequent.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sequent.componentLabels" -}}
{{ include "sequent.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sequent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sequent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sequent.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "sequent.rulesConfigMap" -}}
{{- default (printf "%s-rules" (include "sequent.fullname" .)) .Values.correlator.rules.existingConfigMap -}}
{{- end -}}

{{- define "sequent.correlatorMaxReplicas" -}}
{{- $partitions := int .Values.topics.events.partitions -}}
{{- if .Values.correlator.autoscaling.maxReplicas -}}
{{- min (int .Values.correlator.autoscaling.maxReplicas) $partitions -}}
{{- else -}}
{{- $partitions -}}
{{- end -}}
{{- end -}}

{{/* Where mounted secrets appear in the pods. */}}
{{- define "sequent.secretsDir" -}}/var/run/secrets/sequent{{- end -}}

{{/*
SEQUENT_* variables shared by the Kafka/Redis-connected services.
Arguments: dict "root" $ "component" name "redis" bool
*/}}
{{- define "sequent.commonEnv" -}}
{{- $v := .root.Values -}}
- name: SEQUENT_KAFKA_BROKERS
  value: {{ join "," $v.kafka.brokers | quote }}
- name: SEQUENT_KAFKA_CLIENT_ID
  value: {{ printf "sequent-%s" .component | quote }}
- name: SEQUENT_LOG_LEVEL
  value: {{ $v.logLevel | quote }}
{{- if $v.kafka.tls.enabled }}
- name: SEQUENT_KAFKA_SSL
  value: "true"
- name: SEQUENT_KAFKA_SSL_REJECT_UNAUTHORIZED
  value: {{ $v.kafka.tls.rejectUnauthorized | quote }}
{{- if $v.kafka.tls.caSecret.name }}
- name: SEQUENT_KAFKA_SSL_CA_FILE
  value: {{ printf "%s/kafka-ca/%s" (include "sequent.secretsDir" .root) $v.kafka.tls.caSecret.key | quote }}
{{- end }}
{{- end }}
{{- if $v.kafka.sasl.enabled }}
- name: SEQUENT_KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: SEQUENT_KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.usernameKey }}
- name: SEQUENT_KAFKA_SASL_PASSWORD_FILE
  value: {{ printf "%s/kafka-sasl/%s" (include "sequent.secretsDir" .root) $v.kafka.sasl.passwordKey | quote }}
{{- end }}
{{- if .redis }}
- name: SEQUENT_REDIS_URL
  value: {{ $v.redis.url | quote }}
- name: SEQUENT_REDIS_TLS
  value: {{ $v.redis.tls | quote }}
- name: SEQUENT_REDIS_KEY_PREFIX
  value: {{ $v.redis.keyPrefix | quote }}
{{- if $v.redis.sentinels }}
- name: SEQUENT_REDIS_SENTINELS
  value: {{ join "," $v.redis.sentinels | quote }}
- name: SEQUENT_REDIS_SENTINEL_MASTER_NAME
  value: {{ $v.redis.sentinelMasterName | quote }}
{{- end }}
{{- if $v.redis.clusterNodes }}
- name: SEQUENT_REDIS_CLUSTER_NODES
  value: {{ join "," $v.redis.clusterNodes | quote }}
{{- end }}
{{- if $v.redis.auth.existingSecret }}
{{- if $v.redis.auth.usernameKey }}
- name: SEQUENT_REDIS_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $v.redis.auth.existingSecret }}
      key: {{ $v.redis.auth.usernameKey }}
{{- end }}
- name: SEQUENT_REDIS_PASSWORD_FILE
  value: {{ printf "%s/redis/%s" (include "sequent.secretsDir" .root) $v.redis.auth.passwordKey | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
SEQUENT_GRPC_* of a service with a gRPC server (ingest's intake, the alerter's API): port, and
token and TLS files from the Secrets mounted by "sequent.grpcMounts".
Arguments: dict "root" $ "grpc" <service>.grpc
*/}}
{{- define "sequent.grpcEnv" -}}
{{- $g := .grpc -}}
{{- $dir := include "sequent.secretsDir" .root -}}
- name: SEQUENT_GRPC_ENABLED
  value: {{ $g.enabled | quote }}
{{- if $g.enabled }}
- name: SEQUENT_GRPC_PORT
  value: {{ int64 $g.port | quote }}
{{- if $g.authTokenSecret.name }}
- name: SEQUENT_GRPC_AUTH_TOKEN_FILE
  value: {{ printf "%s/grpc-token/%s" $dir $g.authTokenSecret.key | quote }}
{{- end }}
{{- if $g.tlsSecret.name }}
- name: SEQUENT_GRPC_TLS_CERT_FILE
  value: {{ printf "%s/grpc-tls/tls.crt" $dir | quote }}
- name: SEQUENT_GRPC_TLS_KEY_FILE
  value: {{ printf "%s/grpc-tls/tls.key" $dir | quote }}
{{- if $g.tlsSecret.clientCa }}
- name: SEQUENT_GRPC_TLS_CLIENT_CA_FILE
  value: {{ printf "%s/grpc-tls/ca.crt" $dir | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The gRPC token and TLS Secrets: "sequent.grpcVolumes" and "sequent.grpcMounts" (dict "root" $ "grpc" <service>.grpc). */}}
{{- define "sequent.grpcVolumes" -}}
{{- $g := .grpc -}}
{{- if and $g.enabled $g.authTokenSecret.name }}
- name: grpc-token
  secret:
    secretName: {{ $g.authTokenSecret.name }}
    items:
      - key: {{ $g.authTokenSecret.key }}
        path: {{ $g.authTokenSecret.key }}
{{- end }}
{{- if and $g.enabled $g.tlsSecret.name }}
- name: grpc-tls
  secret:
    secretName: {{ $g.tlsSecret.name }}
{{- end }}
{{- end -}}

{{- define "sequent.grpcMounts" -}}
{{- $g := .grpc -}}
{{- $dir := include "sequent.secretsDir" .root -}}
{{- if and $g.enabled $g.authTokenSecret.name }}
- name: grpc-token
  mountPath: {{ $dir }}/grpc-token
  readOnly: true
{{- end }}
{{- if and $g.enabled $g.tlsSecret.name }}
- name: grpc-tls
  mountPath: {{ $dir }}/grpc-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* Secret volumes (Kafka CA, SASL password, Redis password) and their mounts. */}}
{{- define "sequent.secretVolumes" -}}
{{- $v := .root.Values -}}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ $v.kafka.tls.caSecret.name }}
    items:
      - key: {{ $v.kafka.tls.caSecret.key }}
        path: {{ $v.kafka.tls.caSecret.key }}
{{- end }}
{{- if $v.kafka.sasl.enabled }}
- name: kafka-sasl
  secret:
    secretName: {{ $v.kafka.sasl.existingSecret }}
    items:
      - key: {{ $v.kafka.sasl.passwordKey }}
        path: {{ $v.kafka.sasl.passwordKey }}
{{- end }}
{{- if and .redis $v.redis.auth.existingSecret }}
- name: redis-auth
  secret:
    secretName: {{ $v.redis.auth.existingSecret }}
    items:
      - key: {{ $v.redis.auth.passwordKey }}
        path: {{ $v.redis.auth.passwordKey }}
{{- end }}
{{- end -}}

{{- define "sequent.secretMounts" -}}
{{- $v := .root.Values -}}
{{- $dir := include "sequent.secretsDir" .root -}}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.caSecret.name }}
- name: kafka-ca
  mountPath: {{ $dir }}/kafka-ca
  readOnly: true
{{- end }}
{{- if $v.kafka.sasl.enabled }}
- name: kafka-sasl
  mountPath: {{ $dir }}/kafka-sasl
  readOnly: true
{{- end }}
{{- if and .redis $v.redis.auth.existingSecret }}
- name: redis-auth
  mountPath: {{ $dir }}/redis
  readOnly: true
{{- end }}
{{- end -}}

{{/* Probes on the ops server: /healthz (alive) and /readyz (connected, consuming). */}}
{{- define "sequent.probes" -}}
{{- $p := .root.Values.probes -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
livenessProbe:
  httpGet: { path: /healthz, port: http }
  initialDelaySeconds: {{ $p.liveness.initialDelaySeconds }}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
readinessProbe:
  httpGet: { path: /readyz, port: http }
  initialDelaySeconds: {{ $p.readiness.initialDelaySeconds }}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
{{- end -}}
