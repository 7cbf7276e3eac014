#!/usr/bin/env bash
# The offline bundle (`make bundle`): everything a server with no registry access installs from.
#   dist/dangjian-bundle/
#     wheels/               every package of requirements.txt (and their dependencies) as wheels
#     dangjian-src.tar.gz   the source at HEAD (git archive: tracked files only, no keys, no var/)
#     static.tar.gz         staticfiles/ as collectstatic builds it (hashed names, .gz copies, the
#                           npm assets included: the server needs no Node.js)
#     fonts/                the Chinese font of the PDF cards (fonts-noto-cjk), for DANGJIAN_CJK_FONT
#     SHA256SUMS            checked by `sha256sum -c` before installing
# Build it on a machine with the servers' Python version and architecture (wheels are per platform).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BUNDLE_DIR:-dist/dangjian-bundle}"
PY=.venv/bin/python
rm -rf "$OUT"
mkdir -p "$OUT/wheels" "$OUT/fonts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "wheels…"
.venv/bin/pip wheel -q --wheel-dir "$OUT/wheels" -r requirements.txt
cp requirements.txt "$OUT/"

echo "source…"
git archive --format=tar.gz --prefix=./ -o "$OUT/dangjian-src.tar.gz" HEAD

echo "static files…"
# collectstatic as production runs it (DEBUG=0: hashed names and gzip copies); throwaway keys, no database.
$PY -c 'import base64,secrets
k=lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
print(f"SECRET_KEY={secrets.token_urlsafe(50)}\nDANGJIAN_FIELD_KEY={k()}\nDANGJIAN_HASH_KEY={k()}")' > "$work/keys.env"
env DEBUG=0 DANGJIAN_DEMO=0 DANGJIAN_ENV_FILE= DANGJIAN_KEY_FILE="$work/keys.env" \
  DATABASE_URL="sqlite:///$work/unused.sqlite3" STATIC_ROOT="$work/staticfiles" \
  $PY manage.py collectstatic --noinput -v 0
tar -czf "$OUT/static.tar.gz" -C "$work" staticfiles

echo "fonts…"
font="${DANGJIAN_CJK_FONT:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
if [ -f "$font" ]; then cp "$font" "$OUT/fonts/"; else echo "no $font: install fonts-noto-cjk on the server" >&2; fi

(cd "$OUT" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "bundle: $OUT ($(du -sh "$OUT" | cut -f1), $(ls "$OUT/wheels" | wc -l) wheels)"
