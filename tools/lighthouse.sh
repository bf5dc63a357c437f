#!/bin/sh
# Lighthouse (npm `lighthouse`) on a built site, offline: serves SITE_DIR on 127.0.0.1, runs Debian's
# chromium headless, and prints the accessibility and best-practices scores of the given page.
#   tools/lighthouse.sh SITE_DIR [PAGE] [LIGHTHOUSE_BIN]
# e.g. tools/lighthouse.sh site "" node_modules/.bin/lighthouse   (npm install --no-save lighthouse@12)
# Goals for the status page: accessibility >= 0.98, best practices >= 0.96.
# Build the site for the address it is served from (`site_url: ""` in a config with INHERIT): with the
# demo's https://status.example.com/, the theme fetches that host's sitemap.xml, which fails offline and
# costs "errors-in-console" (best practices 0.96 instead of 1).
set -eu
SITE=${1:?usage: tools/lighthouse.sh SITE_DIR [PAGE] [LIGHTHOUSE_BIN]}
PAGE=${2:-}
LH=${3:-lighthouse}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
sleep 1
OUT=$(mktemp)
CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} "$LH" "http://127.0.0.1:$PORT/$PAGE" --quiet \
  --only-categories=accessibility,best-practices --output=json --output-path="$OUT" \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking" >/dev/null 2>&1 || true
python3 - "$OUT" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for key, cat in report["categories"].items():
    print(f"{key}: {cat['score']}")
    for ref in cat["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit.get("score") is not None and audit["score"] < 1 and ref.get("weight", 0) > 0:
            print(f"  failed: {ref['id']} ({audit['title']})")
PY
rm -f "$OUT"
