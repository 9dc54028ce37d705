#!/usr/bin/env bash
# Steps of a CI job that uses Datum Cloud: log in as a service account, point kubectl at an
# organization, use it, log out. Needs bash, a JDK 17+ and kubectl on the runner.
#
# Variables the pipeline sets:
#   DATUM_CREDENTIALS   the service account's JSON key, from the runner's secret store
#   DATUM_ORGANIZATION  the organization to work in
#   DATUM_HOSTNAME      optional: the auth server (default: the key's token_uri, auth.datum.net)
#   DATUM_CA_FILE       optional: a PEM file of a private CA to trust
#   DATUMCTL            optional: how to start datumctl (default: JBang and the published catalog);
#                       in a checkout of datumctl-jbang, "./jbang datumctl.java" needs only the JDK
set -euo pipefail

read -r -a datumctl <<<"${DATUMCTL:-jbang datumctl@datum-cloud/datumctl-jbang}"

login=(login --credentials -)
if [ -n "${DATUM_HOSTNAME:-}" ]; then
  login+=(--hostname "$DATUM_HOSTNAME")
fi
if [ -n "${DATUM_CA_FILE:-}" ]; then
  login+=(--certificate-authority "$DATUM_CA_FILE")
fi

# The key goes through stdin, so it is never written to the runner's disk by the job itself.
printf '%s' "$DATUM_CREDENTIALS" | "${datumctl[@]}" "${login[@]}"
"${datumctl[@]}" whoami

# Never: the exec plugin fails at once instead of waiting for input no one will give.
"${datumctl[@]}" auth update-kubeconfig --organization "$DATUM_ORGANIZATION" --exec-interactive-mode Never

kubectl auth whoami
kubectl get projects

# Removes the session and the copy of the private key that datumctl keeps for renewing tokens.
"${datumctl[@]}" logout --all
