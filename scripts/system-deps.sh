#!/bin/sh
# Debian packages the service relies on: Pango for WeasyPrint, the Noto CJK font for Chinese PDFs,
# the PostgreSQL client tools for backups (WITH_POSTGRES=0 to skip on SQLite-only deployments).
# Installs what is missing when run as root; otherwise says what to install.
set -eu
missing=""
fc-list 2>/dev/null | grep -q "NotoSansCJK" || missing="$missing fonts-noto-cjk"
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
# HarfBuzz's subsetter builds the pre-subset document fonts in seconds (fontTools alone takes minutes).
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || missing="$missing libharfbuzz-subset0"
# pg_dump / pg_restore: `flask backup create|restore` on PostgreSQL.
if [ "${WITH_POSTGRES:-1}" = "1" ]; then
    command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 || missing="$missing postgresql-client"
fi
if [ "${WITH_BROWSER:-0}" = "1" ]; then
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
    ldconfig -p 2>/dev/null | grep -q "libzbar.so" || missing="$missing libzbar0"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "安装系统软件包:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
else
    echo "缺少系统软件包:$missing" >&2
    echo "请以 root 身份执行: apt-get install$missing" >&2
    exit 1
fi
