#!/usr/bin/env bash
# Runs the Windows suite (tests/windows/) on Linux under Wine, with Deno's Windows build.
#
# Usage: tests/windows/run.sh [JUNIT_XML]          (default .out/junit-windows.xml; .ci/run calls it)
#
# 1. Sets up Wine with the kit in ../shared/wine (MKVENV_WINE_KIT overrides): apt-installs wine and mingw-w64 when
#    missing, makes the prefix, builds its shim, fetches deno.exe. The suite gets a Wine prefix of its own
#    (MKVENV_WINDOWS_WINEPREFIX overrides), because it rewrites the prefix's PEP 514 registrations.
# 2. Builds the stand-in interpreters of tests/fixtures/windows/ with x86_64-w64-mingw32-gcc into .out/windows/.
# 3. Gives deno.exe a Deno cache of its own, .tools/wine-deno-dir, holding a copy of the npm packages of the Linux
#    Deno's cache (scripts/deno caches them first), so the suite runs with --cached-only: no network.
# 4. Runs `deno.exe test` on tests/windows/ and writes the JUnit report; once more when Wine kills the run (137, 139).
# --no-check: the suite is type-checked on Linux by `deno task check` (deno check .), much faster than under Wine.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
junit=${1:-.out/junit-windows.xml}
case $junit in /*) ;; *) junit=$root/$junit ;; esac
kit=${MKVENV_WINE_KIT:-$root/../shared/wine}
cache=${MKVENV_WINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mkvenv-wine}
if [ ! -x "$kit/setup.sh" ]; then
  echo "tests/windows/run.sh: no Wine kit at $kit (set MKVENV_WINE_KIT)" >&2
  exit 3
fi

export MKVENV_WINE_CACHE=$cache WINEPREFIX=${MKVENV_WINDOWS_WINEPREFIX:-$cache/suite-prefix}
exports=$("$kit/setup.sh") || { echo "tests/windows/run.sh: the Wine kit failed" >&2; exit 1; }
eval "$exports"

out=$root/.out/windows
mkdir -p "$out/standins" "$(dirname "$junit")"
src=tests/fixtures/windows
build() { # OUTPUT SOURCE FLAGS...: rebuilt when the source is newer
  local exe=$out/standins/$1 c=$src/$2
  shift 2
  [ "$exe" -nt "$c" ] || x86_64-w64-mingw32-gcc -municode -O2 -s -Wall -o "$exe" "$c" "$@"
}
build python.exe python_standin.c -mconsole &&
  build pythonw.exe python_standin.c -mwindows &&
  build venvlauncher.exe venvlauncher_standin.c -mconsole &&
  build venvwlauncher.exe venvlauncher_standin.c -mwindows -DWINDOWED || exit 1

# Deno's Windows build reads the same npm cache layout; it gets a copy, never the Linux cache itself.
scripts/deno cache --config deno.json cli.ts >/dev/null || exit 1
linux_deno_dir=$(scripts/deno info --json | sed -n 's/^ *"denoDir": *"\(.*\)",$/\1/p')
wine_deno_dir=$root/.tools/wine-deno-dir
mkdir -p "$wine_deno_dir/npm"
cp -a "$linux_deno_dir/npm/." "$wine_deno_dir/npm/"

win() { winepath -w "$1" 2>/dev/null; }
export DENO_DIR=$(win "$wine_deno_dir") MKVENV_WINDOWS_STANDINS=$(win "$out/standins") MKVENV_DENO_CACHED_ONLY=1
export MKVENV_WINDOWS_PIP_WHEEL=${MKVENV_WINDOWS_PIP_WHEEL:-$(win /opt/pypi/files/pip-26.2.1-py3-none-any.whl)}
unset RUST_BACKTRACE
rm -f "$junit"
for attempt in 1 2; do
  wine "$MKVENV_WINE_DENO" test -A --no-check --cached-only --config deno.json --junit-path="$(win "$junit")" \
    tests/windows/
  status=$?
  # The kit's README: rarely Wine kills a process (137) after its work is done; a crash at exit (139) was seen too.
  if { [ "$status" -eq 137 ] || [ "$status" -eq 139 ]; } && [ "$attempt" -eq 1 ]; then
    echo "tests/windows/run.sh: Wine ended the run with $status; once more" >&2
    continue
  fi
  break
done
wineserver -k 2>/dev/null # this prefix's server only (WINEPREFIX is set)
exit "$status"
