#!/bin/sh
# Prints the kubeconfig Medic uses to reach a remote cluster, built from the token of the `medic` ServiceAccount
# that `kubectl apply -k deploy/remote-cluster` created there (so Medic has exactly deploy/rbac's rights).
#   deploy/remote-cluster/kubeconfig.sh CONTEXT [NAME] > NAME.kubeconfig
# CONTEXT is your kubectl context for the remote cluster; NAME (default CONTEXT) is the cluster's name in
# medic.yaml. Set MEDIC_REMOTE_SERVER to give the API server URL as Medic's pods reach it, when it differs from
# yours (a private endpoint, for instance).
set -eu
context=${1:?usage: kubeconfig.sh CONTEXT [NAME]}
name=${2:-$context}
server=${MEDIC_REMOTE_SERVER:-$(kubectl --context "$context" config view --minify -o jsonpath='{.clusters[0].cluster.server}')}
secret() { kubectl --context "$context" -n medic get secret medic-token -o "jsonpath={.data.$1}"; }
token=$(secret token | base64 -d)
ca=$(secret 'ca\.crt')
if [ -z "$token" ]; then
  echo "kubeconfig.sh: the medic-token Secret in $context has no token yet; wait a moment and run it again." >&2
  exit 1
fi
cat <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $name
    cluster:
      server: $server
      certificate-authority-data: $ca
users:
  - name: medic
    user:
      token: $token
contexts:
  - name: $name
    context: {cluster: $name, user: medic}
current-context: $name
KUBECONFIG
