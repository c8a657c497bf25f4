#!/usr/bin/env bash
# Install everything StashHog needs to build, test and run its demo on Debian 12.
# Debian packages only; nothing is downloaded from anywhere else.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
    exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
    build-essential cmake pkg-config git ca-certificates \
    libnng-dev libprotobuf-c-dev protobuf-c-compiler \
    libsqlite3-dev libcurl4-openssl-dev libjansson-dev libsodium-dev \
    libgtk-4-dev libadwaita-1-dev libsecret-1-dev \
    libcmocka-dev libmicrohttpd-dev \
    nodejs curl jq xvfb xauth imagemagick appstream desktop-file-utils \
    clang libclang-rt-14-dev clang-tidy file dpkg-dev openssl sqlite3 \
    dbus gnome-keyring
