{{- define "stockade.labels" -}}
app.kubernetes.io/name: stockade
app.kubernetes.io/component: admission-webhook
{{- end -}}

{{/*
Certificates. With `ca.cert` and `ca.key` (a kept CA, such as `stockade install --write-ca`
writes), every install and upgrade signs a new serving certificate under that CA, and the CA
bundle stays the same. Otherwise they are reused from the existing Secret on upgrade (so the
CA bundle in the webhook configurations stays valid), and generated on first install: a CA
valid 10 years and a serving certificate valid 1 year for the Service's DNS names.
`stockade install` makes the same set.
*/}}
{{- define "stockade.certs" -}}
{{- $ns := .Release.Namespace -}}
{{- $names := list "stockade" (printf "stockade.%s" $ns) (printf "stockade.%s.svc" $ns) (printf "stockade.%s.svc.cluster.local" $ns) -}}
{{- $existing := lookup "v1" "Secret" $ns "stockade-tls" -}}
{{- if or .Values.ca.cert .Values.ca.key -}}
{{- if not (and .Values.ca.cert .Values.ca.key) -}}
{{- fail "ca.cert and ca.key go together (helm --set-file ca.cert=ca.crt --set-file ca.key=ca.key)" -}}
{{- end -}}
{{- $ca := buildCustomCert (.Values.ca.cert | b64enc) (.Values.ca.key | b64enc) -}}
{{- $leaf := genSignedCert (printf "stockade.%s.svc" $ns) nil $names 365 $ca -}}
tlsCrt: {{ $leaf.Cert | b64enc }}
tlsKey: {{ $leaf.Key | b64enc }}
caCrt: {{ .Values.ca.cert | b64enc }}
{{- else if and $existing $existing.data (index $existing.data "ca.crt") -}}
tlsCrt: {{ index $existing.data "tls.crt" }}
tlsKey: {{ index $existing.data "tls.key" }}
caCrt: {{ index $existing.data "ca.crt" }}
{{- else -}}
{{- $ca := genCA (printf "stockade webhook CA (%s)" $ns) 3650 -}}
{{- $leaf := genSignedCert (printf "stockade.%s.svc" $ns) nil $names 365 $ca -}}
tlsCrt: {{ $leaf.Cert | b64enc }}
tlsKey: {{ $leaf.Key | b64enc }}
caCrt: {{ $ca.Cert | b64enc }}
{{- end -}}
{{- end -}}
