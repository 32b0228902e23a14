#!/usr/bin/env bash
# Makes a local certificate authority and a server certificate signed by it, for trying
# HTTPS without a public certificate (npm run certs:dev) and for the TLS tests.
#
#   scripts/certs-dev.sh [--out DIR] [NAME ...]
#
# DIR (default infra/certs) receives the layout nginx and the README expect:
#   fullchain.pem  server certificate followed by the CA     (ssl_certificate)
#   privkey.pem    server key, mode 0600                     (ssl_certificate_key)
#   chain.pem      the CA, for OCSP stapling verification   (ssl_trusted_certificate)
#   ca.pem         the CA, to import into a browser or pass to clients
#   ca-key.pem     the CA's key, mode 0600; an existing CA is reused, so browsers that
#                  trust it keep trusting renewed server certificates
# NAMEs are DNS names or IP addresses for the certificate (default: localhost 127.0.0.1 ::1).
set -euo pipefail

out="infra/certs"
if [ "${1:-}" = "--out" ]; then
  out="${2:?--out needs a folder}"
  shift 2
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(localhost 127.0.0.1 ::1)

command -v openssl >/dev/null 2>&1 || {
  echo "openssl is missing (apt-get install openssl)" >&2
  exit 1
}
mkdir -p "$out"
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -s "$out/ca.pem" ] || [ ! -s "$out/ca-key.pem" ]; then
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$out/ca-key.pem" -out "$out/ca.pem" -days 3650 -sha256 \
    -subj "/CN=Parley local CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

san=""
for name in "${names[@]}"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san+="IP:$name,"; else san+="DNS:$name,"; fi
done
san="${san%,}"

cat >"$work/ext.cnf" <<CNF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$san
CNF
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$work/privkey.pem" -out "$work/server.csr" -subj "/CN=${names[0]}" 2>/dev/null
# 397 days: the longest validity browsers accept for a server certificate.
openssl x509 -req -in "$work/server.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" \
  -CAcreateserial -CAserial "$work/ca.srl" -out "$work/cert.pem" -days 397 -sha256 \
  -extfile "$work/ext.cnf" 2>/dev/null

cat "$work/cert.pem" "$out/ca.pem" >"$out/fullchain.pem"
cp "$out/ca.pem" "$out/chain.pem"
mv "$work/privkey.pem" "$out/privkey.pem"
chmod 600 "$out/privkey.pem" "$out/ca-key.pem"
chmod 644 "$out/fullchain.pem" "$out/chain.pem" "$out/ca.pem"
echo "certificates for ${names[*]} in $out (trust $out/ca.pem to use them)"
