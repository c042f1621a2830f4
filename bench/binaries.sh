# Sourced by the bench scripts, with $here the repository: the binaries they run.
# `start_collector BINARY ARGS...` and `start_nats BINARY [NATS-SETUP ARGS...]` start a
# server on a free loopback port (files in $work) and set $server (its process) and $url;
# the caller stops it.

# measured_build: the build measured: PLOTLINE=BINARY (relative to where the script was
# started), or the fully optimised build (`dist`), made now.
measured_build() {
  if [ -n "${PLOTLINE:-}" ]; then
    realpath "$PLOTLINE"
  else
    (cd "$here" && cargo build --profile dist -q)
    echo "$here/target/dist/plotline"
  fi
}

# start_collector BINARY ARGS...: `BINARY serve` with ARGS, once it says where it listens.
start_collector() {
  local binary=$1; shift
  "$binary" serve --listen 127.0.0.1:0 "$@" > "$work/serve.out" &
  server=$!
  for _ in $(seq 50); do grep -q http "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -1)
}

# nats_server: the nats-server to run (PLOTLINE_NATS_SERVER, tests/clients/.venv/bin/nats-server
# or nats-server on PATH); nothing when there is none.
nats_server() {
  local found=${PLOTLINE_NATS_SERVER:-$here/tests/clients/.venv/bin/nats-server}
  [ -x "$found" ] || found=$(command -v nats-server || true)
  echo "$found"
}

# start_nats BINARY [ARGS...]: a nats-server with JetStream (its store in $work), set up by
# `BINARY nats-setup` with ARGS once it answers.
start_nats() {
  local binary=$1 found port; shift
  found=$(nats_server)
  [ -n "$found" ] || { echo "no nats-server (tests/clients/setup.sh installs one)" >&2; return 2; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$found" -js -a 127.0.0.1 -p "$port" -sd "$work/store" > /dev/null 2>&1 &
  server=$!
  url=nats://127.0.0.1:$port
  for _ in $(seq 50); do "$binary" nats-setup --nats "$url" "$@" 2>/dev/null && return 0; sleep 0.1; done
  echo "nats-setup did not succeed on $url" >&2
  return 1
}
