# build-aux/setup.sh — shared by build-aux/run and build-aux/test: install what
# is missing (Debian 12), then configure and build in _build. Quiet when there
# is nothing to do.
# SPDX-License-Identifier: GPL-3.0-or-later

BUILD_PACKAGES="meson ninja-build pkgconf gcc libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev
  libjson-glib-dev libsqlite3-dev libsecret-1-dev libmd4c-dev libmd4c-html0-dev
  libgtksourceview-5-dev libgtop2-dev libzstd-dev libhiredis-dev gettext desktop-file-utils appstream
  xvfb xauth"
TEST_PACKAGES="libgtk-4-bin at-spi2-core gnome-keyring libsecret-tools dunst imagemagick
  dbus-daemon flatpak-builder redis-server python3-gi gir1.2-atspi-2.0 xdotool"
# The sanitizer and fuzz build (build-aux/test): clang, its runtimes (ASan,
# UBSan, libFuzzer: libclang-rt-14-dev, only recommended by clang) and
# llvm-symbolizer (llvm-14) for readable reports.
SANITIZE_PACKAGES="clang libclang-rt-14-dev llvm-14"

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$top/_build"

say() { printf '%s\n' "$*" >&2; }

install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# configure_and_build [DIR [SETUP_ARGS...]]: _build, for development, by default.
configure_and_build() {
  local dir=${1:-$build_dir}
  [ $# -gt 0 ] && shift
  [ $# -eq 0 ] && set -- -Dprofile=development
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$top" "$@" >/dev/null
  fi
  # Only ninja's own errors and warnings reach the terminal.
  if ! ninja -C "$dir" >"$dir/ninja.log" 2>&1; then
    cat "$dir/ninja.log" >&2
    say "build-aux: the build in $dir failed (log above)."
    exit 1
  fi
  [ "${show_warnings:-1}" = 1 ] && grep -E "warning:" "$dir/ninja.log" >&2 || true
}
