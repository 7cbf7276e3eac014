#!/usr/bin/env bash
# Install the Debian packages dangjian needs, only where they are missing.
# chromium drives the browser tests (chromium-l10n: its zh-CN resources, without which date inputs show
# mm/dd/yyyy whatever --lang says); fonts-noto-cjk renders Chinese in pages, PDFs and screenshots;
# nginx-light runs deploy/nginx in front of the app in tests/test_deploy_files.py (the service is not started).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/lib/chromium/locales/zh-CN.pak ] || need+=(chromium-l10n)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing Debian packages: ${need[*]} (no apt-get here: install them by hand)." >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
