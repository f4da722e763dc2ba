#!/usr/bin/env bash
# Render a run's report.html in headless Chromium and save a full-page PNG, to look at what a user sees.
#   scripts/screenshot_report.sh RUN_DIR [OUT.png] [HEIGHT]
# Needs Chromium (Debian: apt-get install chromium). The report is self-contained (plots and images inline), so
# the page needs no server and no network; the flags keep Chromium off the network entirely.
set -euo pipefail
run_dir=${1:?usage: $0 RUN_DIR [OUT.png] [HEIGHT]}
out=${2:-$run_dir/report.png}
height=${3:-4000}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
  echo "error: no Chromium found (Debian: apt-get install chromium)" >&2
  exit 1
fi
[[ -f $run_dir/report.html ]] || { echo "error: $run_dir/report.html: not found (specs report $run_dir writes it)" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1280,"$height" --screenshot="$(realpath -m "$out")" "file://$(realpath "$run_dir/report.html")" \
  >/dev/null 2>&1
echo "wrote $out"
