#!/usr/bin/env bash
# --web-config through the built binary (issue 15): TLS and basic authentication in
# exporter-toolkit's format, accepted and refused as configured. openssl makes a CA, a
# server certificate, a client certificate, one from another CA; Python's crypt (libxcrypt)
# makes the bcrypt hashes; curl scrapes. Bad files: status 2 and one line naming the key.
set -u
# An absolute path: the script works in its temporary directory.
VIGIL=$(readlink -f "${1:?usage: e2e_web_config.sh path/to/vigil}")
for tool in openssl curl python3; do
    command -v "$tool" >/dev/null || { echo "skip: $tool is needed"; exit 77; }
done
. "$(dirname "$0")/e2e_lib.sh"
tmp=$(mktemp -d)
vpid=
cleanup() { [ -n "$vpid" ] && kill "$vpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
conf=$tmp/conf
mkdir -p "$conf" "$tmp/other"
cd "$tmp" || exit 1

# --- Certificates: a CA, a server certificate for 127.0.0.1, a client certificate (clientAuth),
# and a client certificate from another CA.
ca() { # NAME
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -keyout "$conf/$1.key" -out "$conf/$1.crt" -subj "/CN=vigil test $1" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
}
leaf() { # NAME CA EXTENSIONS
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$conf/$1.key" \
        -out "$tmp/$1.csr" -subj "/CN=vigil test $1" 2>/dev/null &&
        printf '%b' "$3" >"$tmp/$1.ext" &&
        openssl x509 -req -in "$tmp/$1.csr" -CA "$conf/$2.crt" -CAkey "$conf/$2.key" \
            -CAcreateserial -days 2 -out "$conf/$1.crt" -extfile "$tmp/$1.ext" 2>/dev/null
}
ca ca && ca rogue &&
    leaf server ca 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' &&
    leaf client ca 'extendedKeyUsage=clientAuth\n' &&
    leaf stranger rogue 'extendedKeyUsage=clientAuth\n' ||
    { echo "FAIL - openssl could not make the certificates"; exit 1; }

# bcrypt hashes: cost 12 (a quarter of a second or so), so a scrape that pays one shows.
bcrypt() { # PASSWORD COST
    python3 -W ignore -c 'import crypt, sys
print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << int(sys.argv[2]))))' "$1" "$2"
}
hash=$(bcrypt 'right horse' 12)
hash_y="\$2y\$${hash#\$2b\$}"  # htpasswd -B's form of the same hash
case "$hash" in '$2b$12$'*) ;; *) echo "FAIL - no bcrypt hash from python3: '$hash'"; exit 1 ;; esac

# --- Bad files: status 2, one line (and the --help hint) naming the key or value.
refuse() { # DESCRIPTION EXPECTED-TEXT YAML
    printf '%s\n' "$3" >"$conf/bad.yml"
    err=$("$VIGIL" --listen 127.0.0.1:0 --web-config "$conf/bad.yml" -b -n 1 2>&1 >/dev/null)
    st=$?
    first=$(echo "$err" | head -1)
    if [ "$st" -eq 2 ] && [ "$(echo "$err" | grep -c .)" -le 2 ] &&
        echo "$first" | grep -qF -- "$2" && echo "$first" | grep -qF -- "--web-config"; then
        ok "$1: status 2, $first"
    else
        bad "$1: status $st, '$err' (expected '$2')"
    fi
}
refuse "unknown key" "'tls_server_config.cert_fil'" $'tls_server_config:\n  cert_fil: server.crt'
refuse "unknown top key" "'basic_auth_user'" $'basic_auth_user:\n  a: b'
refuse "bad min_version" "min_version: 'TLS14'" \
    $'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS14'
refuse "bad client_auth_type" "client_auth_type: 'Sometimes'" \
    $'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Sometimes'
refuse "client auth without a CA" "needs client_ca_file" \
    $'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert'
refuse "a missing certificate file" "No such file or directory" \
    $'tls_server_config:\n  cert_file: nothere.crt\n  key_file: server.key'
refuse "a key that is not the certificate's" "with the key" \
    $'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key'
refuse "a password where a hash goes" "basic_auth_users.alice: not a bcrypt hash" \
    $'basic_auth_users:\n  alice: hunter2'
refuse "a key given twice" "basic_auth_users.alice: given twice" \
    "$(printf 'basic_auth_users:\n  alice: %s\n  alice: %s' "$hash" "$hash")"
refuse "a header it may not set" "header 'Server'" $'http_server_config:\n  headers:\n    Server: x'
refuse "not YAML" "did not find expected" $'tls_server_config:\n cert_file: [a\n'
refuse "an unsupported key" "cipher_suites" $'tls_server_config:\n  cipher_suites: [a]'
err=$("$VIGIL" --web-config "$conf/bad.yml" -b -n 1 2>&1 >/dev/null); st=$?
[ "$st" -eq 2 ] && echo "$err" | grep -q -- "--web-config needs --listen" &&
    ok "--web-config without --listen: status 2" || bad "--web-config without --listen: $st '$err'"
head -c 2000000 /dev/zero | tr '\0' '#' >"$conf/big.yml"
err=$("$VIGIL" --listen 127.0.0.1:0 --web-config "$conf/big.yml" -b -n 1 2>&1 >/dev/null); st=$?
[ "$st" -eq 2 ] && echo "$err" | grep -q "larger than" && ok "a 2 MB file: status 2, refused unread" ||
    bad "a 2 MB file: $st '$err'"

# start CONFIG: a headless vigil serving with it; sets vpid, url and errfile (its stderr, a new
# file each time: the last run's would name a port no longer served).
runs=0
start() {
    runs=$((runs + 1))
    errfile=$tmp/err.$runs
    serve "$errfile" "$VIGIL" --listen 127.0.0.1:0 --web-config "$1" -d 0.5 || { bad "no 'serving metrics at' line: $(cat "$errfile")"; return 1; }
}
stop() {
    kill -TERM "$vpid" 2>/dev/null
    wait "$vpid" 2>/dev/null
    vpid=
}
# scrape [CURL ARGS...]: prints the HTTP status (000: no HTTP answer); the body in $tmp/body,
# the headers in $tmp/headers.
scrape() {
    curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' --max-time 10 "$@" 2>/dev/null
}
# until_ok CURL ARGS...: the first 200 within 10 s (503 until the first sample is taken).
until_ok() {
    local code=
    for _ in $(seq 100); do
        code=$(scrape "$@")
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    echo "$code"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# --- TLS and basic authentication; relative paths from the config's directory (vigil runs
# elsewhere: $tmp, with the file given as conf/auth.yml).
cat >"$conf/auth.yml" <<EOF
# as node_exporter's web.config.file
tls_server_config:
  cert_file: server.crt
  key_file: server.key
http_server_config:
  headers:
    X-Frame-Options: deny
basic_auth_users:
  prometheus: '$hash_y'
  other: '$(bcrypt 'other password' 4)'
EOF
if start conf/auth.yml; then
    case "$url" in https://127.0.0.1:*/metrics) ok "serving at $url" ;; *) bad "url $url" ;; esac
    https=(--cacert "$conf/ca.crt")
    code=$(until_ok "${https[@]}" -u 'prometheus:right horse' "$url")
    if [ "$code" = 200 ] && grep -q '^vigil_up 1' "$tmp/body"; then
        ok "https with the CA and the right password: 200, vigil_up 1"
    else
        bad "https with the right password: $code"
    fi
    err_lines=$(wc -l <"$errfile")
    grep -qi '^X-Frame-Options: deny' "$tmp/headers" && ok "http_server_config.headers sent" ||
        bad "no X-Frame-Options header: $(cat "$tmp/headers")"
    code=$(scrape -u 'prometheus:wrong horse' "${https[@]}" "$url")
    if [ "$code" = 401 ] && grep -qi '^WWW-Authenticate: Basic realm="vigil"' "$tmp/headers" &&
        ! grep -q vigil_up "$tmp/body"; then
        ok "a wrong password: 401 with WWW-Authenticate: Basic realm=\"vigil\", no metrics"
    else
        bad "a wrong password: $code $(tr -d '\r' <"$tmp/headers" | tr '\n' ' ')"
    fi
    code=$(scrape "${https[@]}" "$url")
    [ "$code" = 401 ] && ok "no credentials: 401" || bad "no credentials: $code"
    code=$(scrape -u 'nobody:right horse' "${https[@]}" "$url")
    [ "$code" = 401 ] && ok "an unknown user: 401" || bad "an unknown user: $code"
    code=$(scrape -u 'other:right horse' "${https[@]}" "$url")
    [ "$code" = 401 ] && ok "another user's password: 401" || bad "another user's password: $code"
    code=$(scrape -u 'other:other password' "${https[@]}" "${url%/metrics}/nothing")
    [ "$code" = 404 ] && ok "the second user (a \$2b\$ hash), an unknown path: 404" ||
        bad "second user: $code"
    code=$(scrape -u 'prometheus:wrong horse' "${https[@]}" "${url%/metrics}/nothing")
    [ "$code" = 401 ] && ok "an unknown path without the password: 401 (nothing said about paths)" ||
        bad "unknown path, wrong password: $code"
    code=$(scrape "${url/https:/http:}")
    [ "$code" = 000 ] && ok "plain http: no HTTP answer" || bad "plain http answered $code"
    code=$(scrape -u 'prometheus:right horse' "$url")
    [ "$code" = 000 ] && ok "https without the CA: the certificate is not trusted" ||
        bad "https without the CA answered $code"
    # bcrypt at cost 12 is some 250 ms: 20 scrapes with the right password pay it at most
    # once (the answer is kept), the wrong one each time it changes.
    before=$(cpu_ticks "$vpid")
    t0=$(date +%s%N)
    n200=0
    for _ in $(seq 20); do
        [ "$(scrape "${https[@]}" -u 'prometheus:right horse' "$url")" = 200 ] && n200=$((n200 + 1))
    done
    t1=$(date +%s%N)
    after=$(cpu_ticks "$vpid")
    hz=$(getconf CLK_TCK)
    cached_ms=$(((after - before) * 1000 / hz))
    before=$(cpu_ticks "$vpid")
    for i in 1 2 3 4; do scrape "${https[@]}" -u "prometheus:wrong $i" "$url" >/dev/null; done
    after=$(cpu_ticks "$vpid")
    uncached_ms=$(((after - before) * 1000 / hz / 4))
    if [ "$n200" -eq 20 ] && [ "$cached_ms" -lt 1000 ] && [ "$uncached_ms" -gt 100 ]; then
        ok "20 authenticated scrapes: vigil used ${cached_ms} ms of CPU in all ($(((t1 - t0) / 20000000)) ms a scrape with curl's TLS); a new wrong password costs ${uncached_ms} ms (bcrypt)"
    else
        bad "the cache: $n200 of 20 answered, ${cached_ms} ms of CPU for 20, ${uncached_ms} ms per wrong password"
    fi
    # Refused handshakes and plain HTTP are not logged: a scanner cannot fill the journal.
    extra=$(tail -n +$((err_lines + 1)) "$errfile")
    [ -z "$extra" ] && ok "stderr: nothing said about the refused clients" || bad "stderr: $extra"
    stop
fi

# --- Client certificates: RequireAndVerifyClientCert, TLS 1.3 only, no basic auth.
cat >"$conf/mtls.yml" <<EOF
tls_server_config:
  cert_file: $conf/server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS13
EOF
if start "$conf/mtls.yml"; then
    https=(--cacert "$conf/ca.crt")
    code=$(until_ok "${https[@]}" --cert "$conf/client.crt" --key "$conf/client.key" "$url")
    [ "$code" = 200 ] && grep -q '^vigil_up 1' "$tmp/body" &&
        ok "the CA's client certificate: 200 with metrics" || bad "client certificate: $code"
    code=$(scrape "${https[@]}" "$url")
    [ "$code" = 000 ] && ok "no client certificate: no HTTP answer" ||
        bad "no client certificate answered $code"
    code=$(scrape "${https[@]}" --cert "$conf/stranger.crt" --key "$conf/stranger.key" "$url")
    [ "$code" = 000 ] && ok "another CA's client certificate: no HTTP answer" ||
        bad "another CA's certificate answered $code"
    code=$(scrape "${https[@]}" --cert "$conf/server.crt" --key "$conf/server.key" "$url")
    [ "$code" = 000 ] && ok "the CA's server-only certificate as a client's: no HTTP answer" ||
        bad "a serverAuth certificate as the client's answered $code"
    code=$(scrape "${https[@]}" --tls-max 1.2 --cert "$conf/client.crt" --key "$conf/client.key" "$url")
    [ "$code" = 000 ] && ok "min_version TLS13: a TLS 1.2 client is refused" ||
        bad "TLS 1.2 client answered $code"
    stop
fi

# VerifyClientCertIfGiven: none is fine, a stranger's is not.
cat >"$conf/ifgiven.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: ca.crt
EOF
if start "$conf/ifgiven.yml"; then
    code=$(until_ok --cacert "$conf/ca.crt" "$url")
    [ "$code" = 200 ] && ok "VerifyClientCertIfGiven, no certificate: 200" ||
        bad "VerifyClientCertIfGiven without a certificate: $code"
    code=$(scrape --cacert "$conf/ca.crt" --cert "$conf/stranger.crt" --key "$conf/stranger.key" "$url")
    [ "$code" = 000 ] && ok "VerifyClientCertIfGiven, another CA's certificate: no HTTP answer" ||
        bad "VerifyClientCertIfGiven with a stranger's certificate: $code"
    stop
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
