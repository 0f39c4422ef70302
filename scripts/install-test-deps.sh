#!/usr/bin/env bash
# System packages the end-to-end tests drive (real clients), installed once from Debian.
# Skipped when everything is already there, so `npm test` stays fast on a prepared machine.
set -euo pipefail
packages=(twine python3-gitlab python3-build python3-setuptools python3-wheel python3-venv curl chromium
  maven default-jdk-headless libmaven-deploy-plugin-java libmaven-install-plugin-java
  libmaven-compiler-plugin-java libmaven-jar-plugin-java libmaven-resources-plugin-java libsurefire-java libmaven-dependency-plugin-java
  golang-go)
missing=()
# Debian packages (dpkg-deb and apt-get come with every Debian system): gpg and gpgv check Release signatures,
# dput uploads with a .changes.
packages+=(gpgv gnupg dput)
# The benchmark's Maven smoke run: nginx serves the same files as Trove, the floor of the resolve row.
packages+=(nginx-light)
# RubyGems: gem (with Ruby) and bundler.
packages+=(ruby bundler)
# The container registry's clients (skopeo and podman push and pull, umoci builds images offline)
# and the reference registry the OCI conformance checks and the containers benchmark row run against.
packages+=(skopeo podman umoci docker-registry)
# Composer installs zips with php-zip (unzip is its fallback).
packages+=(composer php-cli php-zip unzip)
# Cargo's tests need rustup's cargo (1.74 or newer reads sparse registries that require a token);
# Debian 12's cargo is 1.65, so it is not installed from here.
command -v cargo >/dev/null || [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ] || echo "warning: no cargo found: the Cargo tests need rustup's cargo 1.74 or newer (https://rustup.rs)" >&2
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing test dependencies: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
