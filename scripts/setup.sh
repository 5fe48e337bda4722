#!/usr/bin/env bash
# Set up a fresh machine: system packages (Tesseract with its Vietnamese model for scanned
# PDFs, LibreOffice Writer for Word 97-2003 .doc files, Chromium for the review-page test), PostgreSQL running if installed, and the Python
# package with its dependencies in .venv/. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie \
  || missing+=(tesseract-ocr tesseract-ocr-vie)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})" >&2
  fi
fi

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null \
    || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi

python3 -m venv .venv
if ! { .venv/bin/pip install -q --upgrade pip && .venv/bin/pip install -q -e ".[dev,scale]"; } > .venv/pip.log 2>&1; then
  tail -n 40 .venv/pip.log >&2
  echo "setup: pip install failed (full log: .venv/pip.log)" >&2
  exit 1
fi
echo "setup: done (.venv/bin/plans)"
