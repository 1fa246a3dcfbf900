#!/usr/bin/env bash
# The run command of the project: ./scripts/run.sh
#
# Installs faxd's npm packages (when missing or stale), builds it, and starts it with the
# embedded defaults: SQLite and files under ./data (FAXD_DATA), listening on 127.0.0.1:8080
# (HOST, PORT). On the first start it creates a demo account with a number and a personal
# access token, keeps them in $FAXD_DATA/first-run.json (readable by you only) and prints how
# to send a first fax with them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export FAXD_DATA="${FAXD_DATA:-./data}"
PORT="${PORT:-8080}"
HOST="${HOST:-127.0.0.1}"
export PORT HOST

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> installing npm packages"
  npm ci --no-audit --no-fund
fi
echo "==> building"
npm run --silent build

first_run="$FAXD_DATA/first-run.json"
if [[ ! -f "$first_run" ]]; then
  echo "==> first start: creating a demo account, number and token"
  mkdir -p "$FAXD_DATA"
  account=$(node bin/faxd.js accounts create --email demo@faxd.example --password "$(head -c 12 /dev/urandom | base64)")
  uid=$(node -e 'console.log(JSON.parse(process.argv[1]).uid)' "$account")
  node bin/faxd.js numbers add +15555550150 --owner "$uid" >/dev/null
  token=$(node bin/faxd.js tokens create --user "$uid" | node -e 'process.stdin.on("data", d => console.log(JSON.parse(d).token))')
  (umask 077 && printf '{"uid": "%s", "number": "+15555550150", "token": "%s"}\n' "$uid" "$token" >"$first_run")
fi
token=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).token)' "$first_run")
base="http://$HOST:$PORT/v3"

cat <<MSG

faxd is starting on http://$HOST:$PORT (data in $FAXD_DATA; stop it with Ctrl-C).
Your demo token is in $first_run. Send a first fax from another terminal:

  TOKEN=$token
  echo "Hello from faxd" > hello.txt
  FILE=\$(curl -s -H "Authorization: Bearer \$TOKEN" -F fax_file=@hello.txt $base/accounts/self/files \\
         | node -pe 'JSON.parse(require("fs").readFileSync(0)).path')
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d "{\"from\": \"+15555550150\", \"to\": [\"+15555550100\"], \"files\": [\"\$FILE\"], \"return_ids\": true}" \\
       $base/accounts/self/outbox
  curl -s -H "Authorization: Bearer \$TOKEN" $base/accounts/self/outbox

The API is the Fax.Plus REST API v3 at $base (OpenAPI: $base/openapi.json).

MSG
exec node bin/faxd.js serve
