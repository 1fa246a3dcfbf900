#!/usr/bin/env bash
# The run command of the project: ./scripts/run.sh
#
# Installs bubblewrap (the sandbox documents are converted and drawn in, docs/sandbox.md) with
# apt-get when it is missing and faxd's npm packages when missing or stale, builds faxd, and
# starts it with the embedded defaults: SQLite and files under ./data (FAXD_DATA), listening on 127.0.0.1:8080
# (HOST, PORT). On the first start it creates a demo account with a password, a number and a
# personal access token, keeps them in $FAXD_DATA/first-run.json (readable by you only) and
# prints how to send a first fax with them. That first-run setup can be rerun after a failure: it resumes
# from $FAXD_DATA/first-run.progress, which it removes when first-run.json is written.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export FAXD_DATA="${FAXD_DATA:-./data}"
PORT="${PORT:-8080}"
HOST="${HOST:-127.0.0.1}"
export PORT HOST

# apt-get install, as root or through sudo; tried without `apt-get update` first (fast when the
# package lists are fresh enough), then with it.
apt_install() {
  local as_root=()
  [[ $(id -u) -eq 0 ]] || as_root=(sudo)
  command -v apt-get >/dev/null 2>&1 || return 1
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
    { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 &&
      "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; }
}

if ! command -v bwrap >/dev/null 2>&1; then
  echo "==> installing bubblewrap, the sandbox uploaded documents are rendered in"
  if ! apt_install bubblewrap; then
    echo "    could not install it: faxd will refuse Office documents and say why (docs/sandbox.md)"
  fi
fi

# Text in Chinese, Japanese, Korean or Devanagari needs these fonts (DejaVu, shipped with faxd,
# covers Latin, Greek, Cyrillic, Arabic and Hebrew): docs/rendering.md, "Every script".
if [[ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc || ! -e /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf ]]; then
  echo "==> installing fonts for Chinese, Japanese, Korean and Devanagari text"
  if ! apt_install fonts-wqy-zenhei fonts-lohit-deva; then
    echo "    could not install them: such text is drawn as empty boxes"
  fi
fi

# A port another process holds: said now, before anything is installed or printed.
port_free() {
  node -e 'const s = require("net").createServer()
s.once("error", (e) => { console.error(e.code); process.exit(1) })
s.listen(Number(process.argv[1]), process.argv[2], () => s.close())' "$PORT" "$HOST" 2>/dev/null
}
if ! port_free; then
  echo "!!! PORT $PORT on HOST $HOST is taken by another process (another faxd?): stop it, or" \
    "start faxd on another port, e.g. PORT=$((PORT + 1)) ./scripts/run.sh" >&2
  exit 1
fi

echo "==> npm packages"
# shellcheck source=scripts/npm-packages.sh
source scripts/npm-packages.sh
npm_packages
# The build is skipped when it is newer than every source file and the lock file (what
# bin/faxd.js checks too before it runs the build): a start after a start takes seconds.
built_mark=dist/.built
if [[ -f $built_mark && -z $(find src console tsconfig.json tsconfig.build.json package-lock.json -newer "$built_mark" -print -quit) ]]; then
  echo "==> build: up to date"
else
  echo "==> building"
  npm run --silent build
  touch "$built_mark"
fi

first_run="$FAXD_DATA/first-run.json"
demo_number=+15555550150

# Runs `faxd ARGS…` in this shell: its JSON output goes to $cli_out; on failure it returns
# non-zero with the error code (`email_taken`, …) in $cli_error and its stderr in $cli_stderr.
cli_out= cli_error= cli_stderr=
faxd_cli() {
  local err status=0
  err=$(mktemp)
  cli_out=$(node bin/faxd.js "$@" 2>"$err") || status=$?
  cli_error= cli_stderr=$(cat "$err")
  if [[ $status -ne 0 ]]; then
    cli_error=$(node -e 'try { console.log(JSON.parse(process.argv[1].split("\n")[0]).error) } catch { console.log("unknown") }' "$cli_stderr")
  fi
  rm -f "$err"
  return "$status"
}

# Exits, showing what the last faxd_cli printed on stderr.
cli_fail() {
  printf '%s\n' "$cli_stderr" >&2
  exit 1
}

json_field() { # json_field FIELD JSON
  node -e 'console.log(JSON.parse(process.argv[2])[process.argv[1]])' "$1" "$2"
}

# The first-run setup is resumable: each step that succeeds is recorded in $progress (shell
# assignments), so a rerun after a failure skips what is done instead of failing on
# `email_taken` / `number_taken`. first-run.json is written (atomically) only at the end.
token= password=
if [[ ! -f "$first_run" ]]; then
  echo "==> first start: creating a demo account, number and token"
  mkdir -p "$FAXD_DATA"
  progress="$FAXD_DATA/first-run.progress"
  uid= email=demo@faxd.example number_pending= number_done=
  if [[ -f "$progress" ]]; then
    echo "    resuming an interrupted first start ($progress)"
    # shellcheck source=/dev/null
    . "$progress"
  fi
  record() { (umask 077 && printf '%s\n' "$1" >>"$progress"); }

  if [[ -z $uid ]]; then
    password=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
    if ! faxd_cli accounts create --email "$email" --password "$password"; then
      # A demo account left by an attempt that died before recording it: use a fresh email.
      [[ $cli_error == email_taken ]] || cli_fail
      email="demo-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')@faxd.example"
      echo "    demo@faxd.example is taken (by an interrupted attempt); using $email"
      faxd_cli accounts create --email "$email" --password "$password" || cli_fail
    fi
    uid=$(json_field uid "$cli_out")
    record "uid=$uid"
    record "email=$email"
    record "password=$password"
  fi

  if [[ -z $number_done ]]; then
    # number_pending marks an attempt at this step whose outcome is unknown: if it was cut
    # short after adding the number, the rerun gets `number_taken` for a number that is ours.
    resumed=$number_pending
    [[ -n $resumed ]] || record "number_pending=1"
    if ! faxd_cli numbers add "$demo_number" --owner "$uid"; then
      if [[ $cli_error == number_taken && -n $resumed ]]; then
        echo "    $demo_number was added by the interrupted attempt"
      else
        if [[ $cli_error == number_taken ]]; then
          # Taken before this step ever ran: someone else's number, not a half-done step.
          sed -i '/^number_pending=/d' "$progress"
          printf '%s\n' "$cli_stderr" >&2
          echo "!!! $demo_number already belongs to another account in this store (to start over" \
            "with a fresh demo, remove $FAXD_DATA or point FAXD_DATA elsewhere)" >&2
          exit 1
        fi
        cli_fail
      fi
    fi
    record "number_done=1"
  fi

  faxd_cli tokens create --user "$uid" || cli_fail
  token=$(json_field token "$cli_out")
  (umask 077 && printf '{"uid": "%s", "email": "%s", "password": "%s", "number": "%s", "token": "%s"}\n' \
    "$uid" "$email" "$password" "$demo_number" "$token" >"$first_run.tmp")
  mv "$first_run.tmp" "$first_run"
  rm -f "$progress"
fi
# The password and token are shown once, on the start that made them; later starts show where
# they are kept (readable by you only), so that a terminal log of every start does not repeat
# the secrets.
if [[ -n ${token:-} ]]; then
  token_line="TOKEN=$token"
  token_where="Your demo account's password and token, shown this once, are kept in $first_run."
  sign_in="sign in as $email with the password $password"
  [[ -n $password ]] || sign_in="sign in with the token (\"Use a personal access token instead\")"
else
  token_line="TOKEN=\$(node -p 'require(process.argv[1]).token' \"$(cd "$(dirname "$first_run")" && pwd)/first-run.json\")"
  token_where="Your demo account's password and token are in $first_run (readable by you only)."
  email=$(node -p 'const kept = require(process.argv[1]); kept.password ? kept.email : ""' \
    "$(cd "$(dirname "$first_run")" && pwd)/first-run.json")
  if [[ -n $email ]]; then
    sign_in="sign in as $email with the password kept there"
  else
    # A demo made before demo accounts had a password to show.
    sign_in="sign in with the token (\"Use a personal access token instead\")"
  fi
fi
base="http://$HOST:$PORT/v3"

cat <<MSG

faxd is starting on http://$HOST:$PORT (data in $FAXD_DATA; stop it with Ctrl-C).
$token_where

The quickest first fax: open http://$HOST:$PORT/ (the web console), $sign_in,
and send hello.txt, or any PDF, to +15555550100 (a test number that takes every page). Or from
another terminal, with faxd's own client:

  $token_line
  echo "Hello from faxd" > hello.txt
  printf '%s\n' "\$TOKEN" | node bin/faxd.js login --url http://$HOST:$PORT
  node bin/faxd.js send hello.txt --to +15555550100 --wait

Or with curl, as any Fax.Plus client would:

  FILE=\$(curl -s -H "Authorization: Bearer \$TOKEN" -F fax_file=@hello.txt $base/accounts/self/files \\
         | node -pe 'JSON.parse(require("fs").readFileSync(0)).path')
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d "{\"from\": \"+15555550150\", \"to\": [\"+15555550100\"], \"files\": [\"\$FILE\"], \"return_ids\": true}" \\
       $base/accounts/self/outbox
  curl -s -H "Authorization: Bearer \$TOKEN" $base/accounts/self/outbox

The outbox shows the fax converting, then scheduled_for_sending with its page_count. See page 1
(put the outbox id from the last answer in OUTBOX_ID):

  curl -s -H "Authorization: Bearer \$TOKEN" -o page-1.png $base/accounts/self/outbox/\$OUTBOX_ID/pages/1

The API is the Fax.Plus REST API v3 at $base (OpenAPI: $base/openapi.json).

MSG
exec node bin/faxd.js serve
