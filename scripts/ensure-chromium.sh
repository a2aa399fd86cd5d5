#!/usr/bin/env bash
# The end-to-end tests drive Debian's Chromium (Playwright's own browser download does not
# work offline). Install it when missing and we are root; otherwise say what to install.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $CHROMIUM: installing Debian's chromium package..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q chromium fonts-dejavu-core
  exit 0
fi
cat >&2 <<MSG
The end-to-end tests need Chromium at $CHROMIUM.
Install it with:   sudo apt-get install -y chromium
or point CHROMIUM_PATH at an existing Chromium/Chrome binary.
MSG
exit 1
