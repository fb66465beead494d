#!/usr/bin/env bash
# Installs the Debian packages HFTKit builds against, when they are missing.
# Used by `make demo`, `make test` and `make bench`; safe to run repeatedly (no-op when all are present).
set -euo pipefail

# openssl: the TLS test makes a self-signed certificate with the `openssl` command at test time.
# zlib1g-dev: zlib's crc32 beside HFTKit's in the book checksum benchmark.
packages=(libwebsockets-dev libzmq3-dev pkg-config openssl zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing system packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: need root or sudo to install: ${missing[*]}" >&2
  echo "       install them yourself: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
