{{- define "stockade.labels" -}}
app.kubernetes.io/name: stockade
app.kubernetes.io/component: admission-webhook
{{- end -}}

{{/*
Certificates: reused from the existing Secret on upgrade (so the CA bundle in the webhook
configurations stays valid), generated on first install: a CA valid 10 years and a serving
certificate valid 1 year for the Service's DNS names. `stockade install` makes the same set.
*/}}
{{- define "stockade.certs" -}}
{{- $ns := .Release.Namespace -}}
{{- $existing := lookup "v1" "Secret" $ns "stockade-tls" -}}
{{- if and $existing $existing.data (index $existing.data "ca.crt") -}}
tlsCrt: {{ index $existing.data "tls.crt" }}
tlsKey: {{ index $existing.data "tls.key" }}
caCrt: {{ index $existing.data "ca.crt" }}
{{- else -}}
{{- $ca := genCA (printf "stockade webhook CA (%s)" $ns) 3650 -}}
{{- $names := list "stockade" (printf "stockade.%s" $ns) (printf "stockade.%s.svc" $ns) (printf "stockade.%s.svc.cluster.local" $ns) -}}
{{- $leaf := genSignedCert (printf "stockade.%s.svc" $ns) nil $names 365 $ca -}}
tlsCrt: {{ $leaf.Cert | b64enc }}
tlsKey: {{ $leaf.Key | b64enc }}
caCrt: {{ $ca.Cert | b64enc }}
{{- end -}}
{{- end -}}
