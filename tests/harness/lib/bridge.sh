# shellcheck shell=bash
# ngircd (the remote chat network) and the fixture bridge hsops-test-bridge (an appservice
# bridging one Matrix room to #bridge on ngircd), both on loopback, both as the unprivileged
# user nobody, stopped by pid file. The registration must exist before Synapse starts.
# The bridge binary: $HSOPS_TEST_BRIDGE (CTest passes it), else the newest build*/ copy; when
# there is none the stack comes up without ngircd and the bridge (with a warning).

BRIDGE_DIR=$STACK_DIR/bridge
BRIDGE_USER=${HSOPS_BRIDGE_USER:-nobody}
BRIDGE_CHANNEL='#bridge'
BRIDGE_REGISTRATION=$SYN_DIR/appservice-irc.yaml
NGIRCD_BIN=${HSOPS_NGIRCD:-/usr/sbin/ngircd}

bridge_binary() {
  local repo b
  if [ -n "${HSOPS_TEST_BRIDGE:-}" ] && [ -x "$HSOPS_TEST_BRIDGE" ]; then echo "$HSOPS_TEST_BRIDGE"; return 0; fi
  repo=$(cd "$HARNESS_DIR/../.." && pwd)
  b=$(ls -t "$repo"/build*/tests/harness/bridge/hsops-test-bridge 2>/dev/null | head -n1 || true)
  if [ -n "$b" ]; then echo "$b"; fi
}

# Decides whether this stack gets a bridge and picks its ports (next to the other pick_port
# calls); prints the lines for the ports file.
bridge_pick_ports() {
  BRIDGE_ENABLED=0
  if [ ! -x "$NGIRCD_BIN" ]; then
    warn "no ngircd at $NGIRCD_BIN (apt-get install ngircd): the stack comes up without the IRC network and the test bridge"
  elif [ -z "$(bridge_binary)" ]; then
    warn "no hsops-test-bridge binary (build the target hsops-test-bridge, or set HSOPS_TEST_BRIDGE): the stack comes up without the test bridge"
  else
    BRIDGE_ENABLED=1
  fi
  pick_port IRC_PORT HSOPS_IRC_PORT
  pick_port IRC_TLS_PORT HSOPS_IRC_TLS_PORT
  pick_port BRIDGE_PORT HSOPS_BRIDGE_PORT
  pick_port BRIDGE_ADMIN_PORT HSOPS_BRIDGE_ADMIN_PORT
}
bridge_ports_lines() {
  printf 'BRIDGE_ENABLED=%s\nIRC_PORT=%s\nIRC_TLS_PORT=%s\nBRIDGE_PORT=%s\nBRIDGE_ADMIN_PORT=%s\n' \
    "$BRIDGE_ENABLED" "$IRC_PORT" "$IRC_TLS_PORT" "$BRIDGE_PORT" "$BRIDGE_ADMIN_PORT"
}

# Tokens and the registration file Synapse reads (inside the chroot); sets SYN_APPSERVICE_FILES.
bridge_write_registration() {
  SYN_APPSERVICE_FILES=
  [ "${BRIDGE_ENABLED:-0}" = 1 ] || return 0
  install -d -m 0700 -o "$BRIDGE_USER" "$BRIDGE_DIR"
  write_secret "$BRIDGE_DIR/as.token" "$BRIDGE_USER"
  write_secret "$BRIDGE_DIR/hs.token" "$BRIDGE_USER"
  local server_re
  server_re=$(printf '%s' "$SERVER_NAME" | sed 's/\./\\./g')
  (umask 027 && cat >"$BRIDGE_REGISTRATION" <<EOF
# The fixture bridge's registration (tests/harness/lib/bridge.sh).
id: irc
url: http://127.0.0.1:$BRIDGE_PORT
as_token: $(head -n1 "$BRIDGE_DIR/as.token")
hs_token: $(head -n1 "$BRIDGE_DIR/hs.token")
sender_localpart: _irc_bot
rate_limited: false
namespaces:
  users:
    - regex: '^@_irc_.*:$server_re\$'
      exclusive: true
  aliases: []
  rooms: []
EOF
  )
  chown "$SYN_UID:$SYN_GID" "$BRIDGE_REGISTRATION"
  SYN_APPSERVICE_FILES="$(chroot_stack_dir)/synapse/${BRIDGE_REGISTRATION##*/}"
}

# A throw-away CA and a server certificate for ngircd's TLS port (names: IP 127.0.0.1,
# localhost, irc.hsops.test), made at every `up` (EC P-256: milliseconds). The CA key stays
# root-only; the server key is readable only by the user ngircd runs as. Clients verify with
# $HSOPS_IRC_CA_FILE. DH parameters: the RFC 7919 group (GnuTLS ngircd would otherwise
# generate its own at start-up).
irc_tls_material() {
  local dir=$BRIDGE_DIR/irc/tls log=$BRIDGE_DIR/irc/tls/openssl.log
  install -d -m 0755 "$dir"
  : >"$log"
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 -subj "/CN=hsops test IRC CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$dir/ca.key" -out "$dir/ca.pem"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=irc.hsops.test" \
      -keyout "$dir/server.key" -out "$dir/server.csr"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:irc.hsops.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 7 \
      -extfile "$dir/server.ext" -out "$dir/server.pem"
    openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out "$dir/dh.pem"
  ) >>"$log" 2>&1 || die "could not make the IRC TLS certificates (openssl)" "$log"
  chmod 0644 "$dir/ca.pem" "$dir/server.pem" "$dir/dh.pem"
  chmod 0600 "$dir/ca.key" "$dir/server.key"
  chown "$BRIDGE_USER" "$dir/server.key"
  rm -f "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
}

irc_tls_answers() {
  printf 'QUIT\r\n' | timeout 5 openssl s_client -quiet -connect "127.0.0.1:$IRC_TLS_PORT" -CAfile "$BRIDGE_DIR/irc/tls/ca.pem" \
    -verify_ip 127.0.0.1 -verify_return_error >/dev/null 2>&1
}

bridge_admin_state() { curl -fsS --max-time 2 "http://127.0.0.1:$BRIDGE_ADMIN_PORT/admin" 2>/dev/null; }
irc_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$IRC_PORT") 2>/dev/null; }
bridge_irc_joined() { bridge_admin_state | grep -q '"irc_connected":true'; }

# After Synapse is up: ngircd, then the bridge (which makes the portal room), then the canary.
bridge_start() {
  [ "${BRIDGE_ENABLED:-0}" = 1 ] || { note "no test bridge (see the warning above)"; return 0; }
  install -d -m 0755 -o "$BRIDGE_USER" "$BRIDGE_DIR/irc"
  irc_tls_material
  cat >"$BRIDGE_DIR/irc/ngircd.conf" <<EOF
[Global]
Name = irc.hsops.test
Info = hsops test network
Listen = 127.0.0.1
Ports = $IRC_PORT
MotdPhrase = hsops test network
[Limits]
MaxNickLength = 30
PingTimeout = 120
PongTimeout = 20
[Options]
Ident = no
PAM = no
DNS = no
[SSL]
CertFile = $BRIDGE_DIR/irc/tls/server.pem
KeyFile = $BRIDGE_DIR/irc/tls/server.key
DHFile = $BRIDGE_DIR/irc/tls/dh.pem
Ports = $IRC_TLS_PORT
[Channel]
Name = $BRIDGE_CHANNEL
Topic = bridged to Matrix by hsops-test-bridge
EOF
  chmod 0644 "$BRIDGE_DIR/irc/ngircd.conf"
  local gid
  gid=$(id -g "$BRIDGE_USER")
  setsid setpriv --reuid="$BRIDGE_USER" --regid="$gid" --clear-groups \
    "$NGIRCD_BIN" -n -f "$BRIDGE_DIR/irc/ngircd.conf" </dev/null >>"$BRIDGE_DIR/irc/ngircd.log" 2>&1 9>&- &
  echo $! >"$RUN_DIR/ngircd.pid"
  wait_for "ngircd on 127.0.0.1:$IRC_PORT" 20 "$BRIDGE_DIR/irc/ngircd.log" irc_answers
  wait_for "ngircd TLS on 127.0.0.1:$IRC_TLS_PORT" 20 "$BRIDGE_DIR/irc/ngircd.log" irc_tls_answers

  install -m 0755 "$(bridge_binary)" "$BRIDGE_DIR/hsops-test-bridge"
  touch "$BRIDGE_DIR/room" && chown "$BRIDGE_USER" "$BRIDGE_DIR/room"
  setsid setpriv --reuid="$BRIDGE_USER" --regid="$gid" --clear-groups \
    "$BRIDGE_DIR/hsops-test-bridge" --homeserver "http://127.0.0.1:$SYNAPSE_PORT" --server-name "$SERVER_NAME" \
    --port "$BRIDGE_PORT" --admin-port "$BRIDGE_ADMIN_PORT" --irc-port "$IRC_PORT" --channel "$BRIDGE_CHANNEL" \
    --as-token-file "$BRIDGE_DIR/as.token" --hs-token-file "$BRIDGE_DIR/hs.token" --room-file "$BRIDGE_DIR/room" \
    </dev/null >>"$BRIDGE_DIR/bridge.log" 2>&1 9>&- &
  echo $! >"$RUN_DIR/bridge.pid"
  wait_for "the test bridge (admin :$BRIDGE_ADMIN_PORT, joined to $BRIDGE_CHANNEL)" 30 "$BRIDGE_DIR/bridge.log" bridge_irc_joined

  write_secret "$SECRETS_DIR/canary.password"
  synapse_register canary --no-admin "$SECRETS_DIR/canary.password"
}

bridge_running() {
  [ "${BRIDGE_ENABLED:-0}" = 1 ] || return 0
  pid_alive "$(pidfile_pid "$RUN_DIR/bridge.pid")" && pid_alive "$(pidfile_pid "$RUN_DIR/ngircd.pid")"
}

bridge_pids() { echo "$(pidfile_pid "$RUN_DIR/bridge.pid") $(pidfile_pid "$RUN_DIR/ngircd.pid")"; }

bridge_stop() {
  local name pid
  for name in bridge ngircd; do
    pid=$(pidfile_pid "$RUN_DIR/$name.pid")
    if [ -n "$pid" ]; then stop_pid "$name" "$pid" 10; fi
    rm -f "$RUN_DIR/$name.pid"
  done
}

bridge_status_lines() {
  if [ "${BRIDGE_ENABLED:-0}" != 1 ]; then
    printf '  %-26s %s\n' "test bridge, ngircd" "not part of this stack"
    return 0
  fi
  status_line "ngircd" "$(pidfile_pid "$RUN_DIR/ngircd.pid")" "127.0.0.1:${IRC_PORT:-?} (TLS :${IRC_TLS_PORT:-?}) $BRIDGE_CHANNEL"
  status_line "test bridge" "$(pidfile_pid "$RUN_DIR/bridge.pid")" "appservice :${BRIDGE_PORT:-?}, admin http://127.0.0.1:${BRIDGE_ADMIN_PORT:-?}/admin"
}

bridge_env_lines() {
  [ "${BRIDGE_ENABLED:-0}" = 1 ] || return 0
  cat <<EOF
HSOPS_BRIDGE_ADMIN_URL=http://127.0.0.1:$BRIDGE_ADMIN_PORT/admin
HSOPS_BRIDGE_URL=http://127.0.0.1:$BRIDGE_PORT
HSOPS_BRIDGE_PID_FILE=$RUN_DIR/bridge.pid
HSOPS_BRIDGE_LOG=$BRIDGE_DIR/bridge.log
HSOPS_APPSERVICE_REGISTRATION=$BRIDGE_REGISTRATION
HSOPS_APPSERVICE_ID=irc
HSOPS_PORTAL_ROOM_ID=$(head -n1 "$BRIDGE_DIR/room" 2>/dev/null)
HSOPS_IRC_HOST=127.0.0.1
HSOPS_IRC_PORT=$IRC_PORT
HSOPS_IRC_TLS_PORT=$IRC_TLS_PORT
HSOPS_IRC_CA_FILE=$BRIDGE_DIR/irc/tls/ca.pem
HSOPS_IRC_CHANNEL=$BRIDGE_CHANNEL
HSOPS_CANARY_USER=@canary:$SERVER_NAME
HSOPS_CANARY_PASSWORD_FILE=$SECRETS_DIR/canary.password
EOF
}

# checks.* sections for the stack's hsops config (indented under checks:).
bridge_hsops_config() {
  [ "${BRIDGE_ENABLED:-0}" = 1 ] || return 0
  cat <<EOF
  appservice:
    homeserver_url: http://127.0.0.1:$SYNAPSE_PORT
    registrations: [$BRIDGE_REGISTRATION]
    database:
      conninfo: "host=127.0.0.1 port=$PG_PRIMARY_PORT user=synapse dbname=synapse"
      password_file: $SECRETS_DIR/pg-synapse.password
  bridge:
    homeserver_url: http://127.0.0.1:$SYNAPSE_PORT
    bridges:
      - name: irc
        room_id: '$(head -n1 "$BRIDGE_DIR/room")'
        user: '@canary:$SERVER_NAME'
        password_file: $SECRETS_DIR/canary.password
        remote: {type: irc, host: 127.0.0.1, port: $IRC_PORT, channel: '$BRIDGE_CHANNEL', nick: hsops-canary}
        user_regex: '^@_irc_.*'
    database:
      conninfo: "host=127.0.0.1 port=$PG_PRIMARY_PORT user=synapse dbname=synapse"
      password_file: $SECRETS_DIR/pg-synapse.password
EOF
}
