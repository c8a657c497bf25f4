#!/usr/bin/env bash
# check-deb.sh BUILD_DIR: build the .deb packages with CPack from an existing
# build tree into a scratch dir and check what they contain.  Prints sizes.
set -euo pipefail
build=${1:?usage: check-deb.sh BUILD_DIR}
[[ -n ${STASHHOG_TEST_SCRATCH:-} ]] && mkdir -p "$STASHHOG_TEST_SCRATCH"
out=$(mktemp -d "${STASHHOG_TEST_SCRATCH:-/tmp}/deb-XXXXXX")
trap 'rm -rf "$out"' EXIT
cmake --build "$build" -j2 --target stashhogd stashhogctl >/dev/null
if grep -q '^STASHHOG_BUILD_GTK:BOOL=ON' "$build/CMakeCache.txt"; then
    cmake --build "$build" -j2 --target stashhog-gtk >/dev/null
fi
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; exit 1; }
daemon=$(ls "$out"/stashhog_*.deb)
contents=$(dpkg-deb -c "$daemon")
for f in ./usr/bin/stashhogd ./usr/bin/stashhogctl ./usr/lib/systemd/system/stashhogd.service; do
    grep -q " $f\$" <<<"$contents" || { echo "missing $f in $daemon"; exit 1; }
done
depends=$(dpkg-deb -f "$daemon" Depends)
for lib in libnng1 libsqlite3-0 libsodium23; do
    grep -q "$lib" <<<"$depends" || { echo "Depends lacks $lib: $depends"; exit 1; }
done
echo "$(basename "$daemon"): $(stat -c %s "$daemon") bytes; Depends: $depends"
if gui=$(ls "$out"/stashhog-gui_*.deb 2>/dev/null); then
    contents=$(dpkg-deb -c "$gui")
    for f in ./usr/bin/stashhog-gtk ./usr/share/applications/io.github.stashhog.StashHog.desktop \
        ./usr/share/metainfo/io.github.stashhog.StashHog.metainfo.xml \
        ./usr/share/icons/hicolor/scalable/apps/io.github.stashhog.StashHog.svg; do
        grep -q " $f\$" <<<"$contents" || { echo "missing $f in $gui"; exit 1; }
    done
    gui_depends=$(dpkg-deb -f "$gui" Depends)
    # Built with libsecret: the keyring library is a dependency of the GUI.
    if grep -q '^STASHHOG_GTK_LIBSECRET:INTERNAL=ON' "$build/CMakeCache.txt"; then
        grep -q libsecret-1-0 <<<"$gui_depends" || { echo "GUI Depends lacks libsecret-1-0: $gui_depends"; exit 1; }
    fi
    echo "$(basename "$gui"): $(stat -c %s "$gui") bytes; Depends: $gui_depends"
fi
