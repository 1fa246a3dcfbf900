#!/usr/bin/env bash
# The test command of the project: ./scripts/test.sh
#
# Works on a fresh Debian 12 machine with Node 20 + npm (run as root, or as a
# user with sudo), and is a fast no-op for the setup part when everything is
# already in place:
#
#   1. PostgreSQL: installed with apt-get only when missing; started (and the
#      cluster created) only when nothing answers on 127.0.0.1:5432. A server
#      that answers is used as it is when the tests can log in to it the way
#      they do (as postgres, over TCP, without a password); when that fails on
#      authentication and the server is a local cluster (Debian's default for
#      127.0.0.1 is scram-sha-256, e.g. right after `apt-get install`), a
#      `host all all 127.0.0.1/32 trust` line is put first in its pg_hba.conf
#      and the cluster reloaded. A database named `test` is created when missing.
#      Skipped entirely when FAXD_TEST_DATABASE_URL is set by the caller: then
#      the caller is responsible for that database.
#   2. The real peers the tests run against (libtiff-tools, Ghostscript, ImageMagick,
#      tesseract, LibreOffice Writer and Calc, poppler-utils, qpdf, procps, python3 for the
#      webhook docs' Python snippet, bubblewrap for the render sandbox, spandsp 0.0.6 with gcc
#      and pkg-config to build the T.38 interop harness, tshark to decode our T.38 packets, and
#      SIPp, Debian's sip-tester, as the SIP peer of the interop tests; script(1) to give the
#      client CLI a terminal, systemd-analyze to check the systemd units of deploy/, and
#      Chromium, which playwright-core drives to test the web console):
#      installed with apt-get only when one of their commands (or files) is missing.
#   3. npm ci, only when node_modules is missing or older than package-lock.json; a node_modules
#      made before from the same lock file and Node is unpacked from the user's cache instead
#      (scripts/npm-packages.sh).
#   4. lint beside check (type-check) and build, then test -- stopping at the first failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_HOST=127.0.0.1
# Overridable only to exercise this script against a throwaway cluster.
PG_PORT=${FAXD_TEST_PG_PORT:-5432}
PG_CLUSTER=${FAXD_TEST_PG_CLUSTER:-main}

banner() {
  printf '\n\033[1m==> %s\033[0m\n' "$*"
}

info() {
  printf '    %s\n' "$*"
}

die() {
  printf '\n\033[1;31m!!! %s\033[0m\n' "$*" >&2
  exit 1
}

# Run a command as root (directly, or through sudo when we are not root).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# Run a command as the postgres OS user (for peer authentication on the socket).
as_postgres() {
  if [[ $(id -un) == postgres ]]; then
    (cd / && "$@")
  elif [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -u postgres -- "$@")
  fi
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

pg_server_installed() {
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null &&
    command -v pg_ctlcluster >/dev/null 2>&1 &&
    command -v pg_createcluster >/dev/null 2>&1
}

pg_client_installed() {
  command -v psql >/dev/null 2>&1 &&
    command -v pg_isready >/dev/null 2>&1 &&
    command -v createdb >/dev/null 2>&1
}

port_open() {
  (exec 3<>"/dev/tcp/${PG_HOST}/${PG_PORT}") 2>/dev/null
}

pg_ready() {
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1
}

wait_for_pg() {
  local i
  for ((i = 0; i < 60; i++)); do
    if pg_ready; then
      return 0
    fi
    sleep 0.5
  done
  die "PostgreSQL did not become ready on ${PG_HOST}:${PG_PORT} within 30s"
}

# Newest PostgreSQL major version that has a cluster config or is installed.
pg_version() {
  local v
  v=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z $v ]]; then
    v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  [[ -n $v ]] || die "cannot find an installed PostgreSQL version"
  printf '%s' "$v"
}

# Connect exactly as the tests will (FAXD_TEST_DATABASE_URL's default): as postgres
# over TCP, with no password and never prompting. Prints psql's error on failure.
pg_login() {
  env -u PGPASSWORD psql -X -w -q -Atc 'select 1' \
    "postgres://postgres@${PG_HOST}:${PG_PORT}/postgres" 2>&1 >/dev/null
}

# "VERSION CLUSTER" of the local cluster configured for $PG_PORT, if there is one.
local_cluster_on_port() {
  local conf ver cluster port
  for conf in /etc/postgresql/*/*/postgresql.conf; do
    [[ -f $conf ]] || continue
    ver=$(basename "$(dirname "$(dirname "$conf")")")
    cluster=$(basename "$(dirname "$conf")")
    port=$(as_root pg_conftool -s "$ver" "$cluster" show port 2>/dev/null || echo 5432)
    if [[ $port == "$PG_PORT" ]]; then
      printf '%s %s' "$ver" "$cluster"
      return 0
    fi
  done
  return 1
}

# Make sure the tests can log in (see pg_login); fix local-TCP authentication of a
# local cluster when that is what stops them.
ensure_login() {
  local error
  if error=$(pg_login); then
    info "logging in as postgres on ${PG_HOST}:${PG_PORT} without a password works"
    return 0
  fi
  if ! grep -qiE 'no password supplied|authentication failed|no pg_hba.conf entry' <<<"$error"; then
    die "cannot log in to PostgreSQL on ${PG_HOST}:${PG_PORT} as postgres: ${error}"
  fi
  info "the server asks postgres for a password on ${PG_HOST}:${PG_PORT}: ${error}"

  local found ver cluster
  found=$(local_cluster_on_port) ||
    die "PostgreSQL on ${PG_HOST}:${PG_PORT} wants a password for postgres and is not a local" \
      "cluster this script can configure: let 127.0.0.1 in with trust, or set" \
      "FAXD_TEST_DATABASE_URL to a database the tests can use"
  read -r ver cluster <<<"$found"
  trust_local_tcp "$(as_root pg_conftool -s "$ver" "$cluster" show hba_file 2>/dev/null ||
    echo "/etc/postgresql/${ver}/${cluster}/pg_hba.conf")"
  info "reloading PostgreSQL ${ver} cluster '${cluster}'"
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$cluster" reload ||
    die "could not reload PostgreSQL ${ver} cluster '${cluster}' (is it the server on port ${PG_PORT}?)"

  local i
  for ((i = 0; i < 20; i++)); do
    if error=$(pg_login); then
      info "logging in as postgres on ${PG_HOST}:${PG_PORT} without a password works now"
      return 0
    fi
    sleep 0.25
  done
  die "still cannot log in to PostgreSQL on ${PG_HOST}:${PG_PORT} as postgres without a" \
    "password after trusting 127.0.0.1 in cluster ${ver}/${cluster}: ${error}"
}

# Let local TCP connections as any user in without a password (test-only cluster).
trust_local_tcp() {
  local hba=$1
  local line='host all all 127.0.0.1/32 trust'
  # pg_hba.conf is first-match: our line must come before any other rule.
  local first
  first=$(as_root awk '!/^[[:space:]]*(#|$)/ { $1 = $1; print; exit }' "$hba")
  if [[ $first == "$line" ]]; then
    info "pg_hba.conf already trusts 127.0.0.1 first"
    return 0
  fi
  info "adding '$line' at the top of $hba"
  local tmp
  tmp=$(mktemp)
  {
    printf '# added by faxd scripts/test.sh: trust local TCP connections (test cluster)\n'
    printf '%s\n' "$line"
    as_root cat "$hba"
  } >"$tmp"
  as_root cp "$tmp" "$hba"
  rm -f "$tmp"
}

setup_postgres() {
  banner "PostgreSQL"

  if ! pg_client_installed || { ! pg_server_installed && ! port_open; }; then
    info "PostgreSQL is not installed: installing it with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
  fi

  if pg_ready; then
    info "a server is already answering on ${PG_HOST}:${PG_PORT}; using it as it is"
  elif port_open; then
    info "something listens on ${PG_HOST}:${PG_PORT}; waiting for it to accept connections"
    wait_for_pg
  else
    local ver conf_dir
    ver=$(pg_version)
    conf_dir="/etc/postgresql/${ver}/${PG_CLUSTER}"
    if [[ ! -f "${conf_dir}/postgresql.conf" ]]; then
      info "creating PostgreSQL ${ver} cluster '${PG_CLUSTER}' on port ${PG_PORT}"
      as_root pg_createcluster --port "$PG_PORT" "$ver" "$PG_CLUSTER"
    fi

    trust_local_tcp "$(as_root pg_conftool -s "$ver" "$PG_CLUSTER" show hba_file 2>/dev/null || echo "${conf_dir}/pg_hba.conf")"

    local port
    port=$(as_root pg_conftool -s "$ver" "$PG_CLUSTER" show port 2>/dev/null || echo "$PG_PORT")
    if [[ $port != "$PG_PORT" ]]; then
      info "cluster ${ver}/${PG_CLUSTER} is configured for port ${port}; switching it to ${PG_PORT}"
      as_root pg_conftool "$ver" "$PG_CLUSTER" set port "$PG_PORT"
    fi

    if as_root pg_ctlcluster "$ver" "$PG_CLUSTER" status >/dev/null 2>&1; then
      info "cluster ${ver}/${PG_CLUSTER} is running but not on ${PG_HOST}:${PG_PORT}; restarting it"
      as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" restart
    else
      info "starting PostgreSQL ${ver} cluster '${PG_CLUSTER}'"
      as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" start
    fi
    wait_for_pg
    # Make sure a changed pg_hba.conf is in effect even if the server was
    # started by something else in the meantime.
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" reload >/dev/null 2>&1 || true
  fi

  ensure_login
  ensure_test_database
}

ensure_test_database() {
  local exists
  if exists=$(psql -X -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null); then
    if [[ $exists == 1 ]]; then
      info "database 'test' exists"
    else
      info "creating database 'test'"
      createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres test
    fi
    return 0
  fi

  # No password-less TCP login as postgres: try peer auth on the local socket.
  if exists=$(as_postgres psql -X -p "$PG_PORT" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null); then
    if [[ $exists == 1 ]]; then
      info "database 'test' exists"
    else
      info "creating database 'test' (as OS user postgres)"
      as_postgres createdb -p "$PG_PORT" test
    fi
    return 0
  fi

  info "WARNING: could not log in to PostgreSQL as postgres to check for database 'test'"
}

if [[ -n ${FAXD_TEST_DATABASE_URL:-} ]]; then
  banner "PostgreSQL"
  info "FAXD_TEST_DATABASE_URL is set by the caller; not provisioning PostgreSQL"
else
  setup_postgres
fi

export FAXD_TEST_DATABASE_URL="${FAXD_TEST_DATABASE_URL:-postgres://postgres@${PG_HOST}:${PG_PORT}/test}"

# ---------------------------------------------------------------------------
# Peers: the tools the tests compare faxd with or read its output through
# ---------------------------------------------------------------------------

# command -> Debian package that provides it
PEERS=(
  tiffinfo:libtiff-tools tiffcp:libtiff-tools tiffcmp:libtiff-tools
  gs:ghostscript
  /usr/bin/convert:imagemagick
  tesseract:tesseract-ocr
  soffice:libreoffice-writer-nogui
  pdftoppm:poppler-utils
  qpdf:qpdf
  pgrep:procps
  python3:python3
  bwrap:bubblewrap
  gcc:gcc
  pkg-config:pkg-config
  /usr/include/spandsp/t30.h:libspandsp-dev
  tshark:tshark
  sipp:sip-tester
  /usr/lib/python3/dist-packages/prometheus_client/parser.py:python3-prometheus-client
  script:bsdutils
  systemd-analyze:systemd
  /usr/lib/chromium/chromium:chromium
  /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:fonts-wqy-zenhei
  /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf:fonts-lohit-deva
  /usr/share/tesseract-ocr/5/tessdata/jpn.traineddata:tesseract-ocr-jpn
  /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata:tesseract-ocr-chi-sim
  /usr/share/tesseract-ocr/5/tessdata/ara.traineddata:tesseract-ocr-ara
  /usr/share/tesseract-ocr/5/tessdata/rus.traineddata:tesseract-ocr-rus
  /usr/share/tesseract-ocr/5/tessdata/ell.traineddata:tesseract-ocr-ell
  /usr/share/tesseract-ocr/5/tessdata/hin.traineddata:tesseract-ocr-hin
)
# Installed alongside: the English OCR data, Calc for spreadsheets, a font family for Office.
PEER_EXTRAS=(tesseract-ocr-eng libreoffice-calc-nogui fonts-dejavu-core)

setup_peers() {
  banner "Peers"
  local missing=() entry cmd pkg
  for entry in "${PEERS[@]}"; do
    cmd=${entry%%:*}
    pkg=${entry#*:}
    if [[ $cmd == /* ]]; then
      [[ -e $cmd ]] || missing+=("$pkg")
    elif ! command -v "$cmd" >/dev/null 2>&1; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    info "all present: ${PEERS[*]%%:*}"
    return 0
  fi
  info "missing: ${missing[*]}; installing them with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    $(printf '%s\n' "${missing[@]}" "${PEER_EXTRAS[@]}" | sort -u)
}

setup_peers

# ---------------------------------------------------------------------------
# Node dependencies
# ---------------------------------------------------------------------------

banner "Dependencies"
# shellcheck source=scripts/npm-packages.sh
source scripts/npm-packages.sh
npm_packages

# ---------------------------------------------------------------------------
# The checks, in order, stopping at the first failure
# ---------------------------------------------------------------------------

step() {
  local name=$1
  shift
  banner "${name}: $*"
  local started=$SECONDS
  if "$@"; then
    info "${name} passed ($((SECONDS - started))s)"
  else
    local rc=$?
    die "${name} FAILED (exit ${rc}): $*"
  fi
}

# Lint beside the type check and the build (two cores: about 12 s sooner than one after the
# other); its output is shown when it is done, and a failure stops here as the others do.
banner "lint: npm run lint (beside check and build)"
lint_log=$(mktemp)
lint_started=$SECONDS
npm run lint >"$lint_log" 2>&1 &
lint_pid=$!
trap 'kill "$lint_pid" 2>/dev/null || true; rm -f "$lint_log"' EXIT
step check npm run check
step build npm run build
banner "lint: npm run lint"
if wait "$lint_pid"; then
  cat "$lint_log"
  info "lint passed ($((SECONDS - lint_started))s, beside check and build)"
else
  rc=$?
  cat "$lint_log"
  die "lint FAILED (exit ${rc}): npm run lint"
fi
step test npm test

banner "All checks passed"
