#!/usr/bin/env bash
# The peer of init-kubeadm-*: the kubeadm PKI (3 CAs, 7 leaves, 5 kubeconfigs, sa.key/sa.pub) made
# with the openssl CLI the way the distributions' docs and contrib scripts do it (k3s/rke2
# contrib/util/generate-custom-ca-certs.sh: genrsa -traditional / ecparam, req -x509, x509 -req
# with an extension file), one command after another.
# Usage: kubeadm-openssl.sh DIR rsa|ecdsa
set -euo pipefail
dir=$1 alg=$2
umask 077
mkdir -p "$dir/pki/etcd"
cd "$dir"

genkey() {
  if [ "$alg" = rsa ]; then openssl genrsa -traditional -out "$1" 2048 2>/dev/null
  else openssl ecparam -name prime256v1 -genkey -noout -out "$1"; fi
}

ca() { # ca NAME CN
  genkey "pki/$1.key"
  openssl req -x509 -new -key "pki/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "subjectKeyIdentifier=hash" \
    -addext "subjectAltName=DNS:$2" -out "pki/$1.crt"
}

leaf() { # leaf OUT_BASE CA SUBJECT EKU [SAN]
  genkey "$1.key"
  {
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$4"
    echo "basicConstraints=critical,CA:FALSE"
    echo "authorityKeyIdentifier=keyid"
    [ -n "${5:-}" ] && echo "subjectAltName=$5"
  } > "$1.ext"
  openssl req -new -key "$1.key" -subj "$3" \
    | openssl x509 -req -CA "pki/$2.crt" -CAkey "pki/$2.key" -set_serial "0x$(printf '%04x%04x%04x' $RANDOM $RANDOM $RANDOM)" \
        -days 365 -sha256 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.ext"
}

kubeconfig() { # kubeconfig FILE USER SUBJECT
  leaf "$1.tmp" ca "$3" clientAuth
  cat > "$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 pki/ca.crt)
    server: https://10.0.0.5:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: $2
  name: $2@kubernetes
current-context: $2@kubernetes
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$1.tmp.crt")
    client-key-data: $(base64 -w0 "$1.tmp.key")
YAML
  rm -f "$1.tmp.crt" "$1.tmp.key"
}

ca ca kubernetes
ca front-proxy-ca front-proxy-ca
ca etcd/ca etcd-ca
san_api="DNS:n,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1,IP:10.0.0.5"
leaf pki/apiserver ca "/CN=kube-apiserver" serverAuth "$san_api"
leaf pki/apiserver-kubelet-client ca "/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client" clientAuth
leaf pki/front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
leaf pki/etcd/server etcd/ca "/CN=n" serverAuth,clientAuth "DNS:n,DNS:localhost,IP:10.0.0.5,IP:127.0.0.1,IP:::1"
leaf pki/etcd/peer etcd/ca "/CN=n" serverAuth,clientAuth "DNS:n,DNS:localhost,IP:10.0.0.5,IP:127.0.0.1,IP:::1"
leaf pki/etcd/healthcheck-client etcd/ca "/CN=kube-etcd-healthcheck-client" clientAuth
leaf pki/apiserver-etcd-client etcd/ca "/CN=kube-apiserver-etcd-client" clientAuth
kubeconfig admin.conf kubernetes-admin "/O=kubeadm:cluster-admins/CN=kubernetes-admin"
kubeconfig super-admin.conf kubernetes-super-admin "/O=system:masters/CN=kubernetes-super-admin"
kubeconfig controller-manager.conf system:kube-controller-manager "/CN=system:kube-controller-manager"
kubeconfig scheduler.conf system:kube-scheduler "/CN=system:kube-scheduler"
kubeconfig kubelet.conf system:node:n "/O=system:nodes/CN=system:node:n"
# kubeadm's service-account key follows encryptionAlgorithm (v1beta4), as kpki's catalogue does.
genkey pki/sa.key
openssl pkey -in pki/sa.key -pubout -out pki/sa.pub
