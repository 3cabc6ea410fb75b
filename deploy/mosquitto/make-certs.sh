#!/usr/bin/env bash
# Makes a site CA and the certificates CareHub's broker and hub need, with openssl.
#
#   bash deploy/mosquitto/make-certs.sh DIR [BROKER_HOST ...]
#
#   DIR          where to write them (created, mode 0700)
#   BROKER_HOST  names and addresses clients use to reach the broker; each goes into the broker
#                certificate's subjectAltName (the first is also its common name).
#                Default: localhost. localhost and 127.0.0.1 are always added.
#
# Writes:
#   ca.key, ca.crt          the site CA (10 years). Keep ca.key offline; give ca.crt to every client
#                           (hub: broker.tls.ca_file; gateways: their CA file).
#   broker.key, broker.crt  the broker's server certificate (about 2 years): /etc/mosquitto/certs/
#   hub.key, hub.crt        a client certificate for the hub (CN carehub, about 2 years), only needed
#                           if the broker sets require_certificate true
#
# Idempotent: existing files are kept (the CA is never replaced). To renew a certificate, delete its
# .crt (and .key for a new key) and run again. openssl verify checks each certificate at the end.
set -euo pipefail

usage() {
    echo "usage: bash deploy/mosquitto/make-certs.sh DIR [BROKER_HOST ...]   (default BROKER_HOST: localhost)" >&2
    exit 2
}
[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
command -v openssl >/dev/null 2>&1 || { echo "make-certs: openssl was not found (apt-get install openssl)." >&2; exit 1; }

DIR="$1"
shift
HOSTS=("$@")
[ ${#HOSTS[@]} -gt 0 ] || HOSTS=(localhost)

CA_DAYS=3650
LEAF_DAYS=825
KEY_BITS=3072

mkdir -p "$DIR"
chmod 0700 "$DIR"
cd "$DIR"
umask 077

say() { printf 'make-certs: %s\n' "$*"; }

new_key() {   # new_key FILE
    if [ -s "$1" ]; then
        say "keeping $1"
    else
        openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$KEY_BITS" -out "$1"
        say "made $1 (RSA $KEY_BITS)"
    fi
}

# subjectAltName: every host given, plus localhost and 127.0.0.1; IP addresses as IP:, names as DNS:.
san=""
add_san() {
    local entry
    if [[ "$1" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ || "$1" == *:* ]]; then entry="IP:$1"; else entry="DNS:$1"; fi
    case ",$san," in *",$entry,"*) return ;; esac
    san="${san:+$san,}$entry"
}
for host in "${HOSTS[@]}"; do add_san "$host"; done
add_san localhost
add_san 127.0.0.1

# The CA.
new_key ca.key
if [ -s ca.crt ]; then
    say "keeping ca.crt"
else
    openssl req -x509 -new -key ca.key -sha256 -days "$CA_DAYS" -subj "/O=CareHub/CN=CareHub site CA" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out ca.crt
    say "made ca.crt (valid $CA_DAYS days)"
fi

issue() {   # issue NAME CN EXTENSIONS
    local name="$1" cn="$2" extensions="$3"
    new_key "$name.key"
    if [ -s "$name.crt" ]; then
        say "keeping $name.crt"
        return
    fi
    openssl req -new -key "$name.key" -subj "/O=CareHub/CN=$cn" -out "$name.csr"
    printf '%s\n' "$extensions" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 \
        -days "$LEAF_DAYS" -extfile "$name.ext" -out "$name.crt" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
    say "made $name.crt for $cn (valid $LEAF_DAYS days)"
}

issue broker "${HOSTS[0]}" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
authorityKeyIdentifier=keyid"

issue hub carehub "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
authorityKeyIdentifier=keyid"

for cert in broker.crt hub.crt; do
    openssl verify -CAfile ca.crt "$cert" >/dev/null || { echo "make-certs: $cert does not verify against ca.crt." >&2; exit 1; }
done
chmod 0644 ca.crt broker.crt hub.crt
say "broker.crt names: $(openssl x509 -in broker.crt -noout -ext subjectAltName | tail -n +2 | tr -d ' ')"
say "done in $(pwd). Install on the broker machine:"
say "  install -m 0644 -o root -g mosquitto ca.crt broker.crt /etc/mosquitto/certs/"
say "  install -m 0640 -o root -g mosquitto broker.key /etc/mosquitto/certs/"
say "and give ca.crt to the hub (broker.tls.ca_file) and to every gateway."
