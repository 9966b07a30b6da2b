#!/usr/bin/env bash
# Runs the README as a user would, so it cannot drift from the product: the set-up block's main job, then every
# ```bash and ```python block of README.md in order, from the repository root, with `noise` as the Release-built
# CLI. Any command that fails fails the tour. .ci/run calls it after tests/run.sh (the set-up block's other line).
set -euo pipefail
cd "$(dirname "$0")/.."
readme=README.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# split README.md into its fenced blocks: NNN.LANG files in order
awk -v dir="$work" '
  /^```/ { if (open) { open = 0; close(file); next }
           lang = substr($0, 4); gsub(/[^a-z]/, "", lang); n++; file = sprintf("%s/%03d.%s", dir, n, lang == "" ? "text" : lang); open = 1; next }
  open { print > file }
' "$readme"

setup=$(ls "$work"/*.console 2>/dev/null | head -n 1)
[ -n "$setup" ] || { echo "readme-tour: README.md has no \`\`\`console set-up block" >&2; exit 1; }
grep -qx 'tests/run.sh' "$setup" || { echo "readme-tour: the set-up block does not name tests/run.sh" >&2; exit 1; }

echo "readme-tour: set-up"
while IFS= read -r line; do
  [ -z "$line" ] || [ "$line" = tests/run.sh ] && continue   # the test suite is .ci/run's own step
  echo "+ $line"
  bash -c "$line"
done < "$setup"

dotnet build src/Noise.Cli -c Release -v q -nologo >/dev/null
noise_dll=$PWD/src/Noise.Cli/bin/Release/net10.0/noise.dll
ran=0
for block in "$work"/*.bash "$work"/*.python; do
  [ -e "$block" ] || continue
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "readme-tour: no bash or python block in README.md" >&2; exit 1; }
for block in $(ls "$work"/*.bash "$work"/*.python 2>/dev/null | sort); do
  echo "readme-tour: block $(basename "$block")"
  case "$block" in
    *.bash) NOISE_DLL=$noise_dll bash -euo pipefail -c "noise() { dotnet \"\$NOISE_DLL\" \"\$@\"; }; set -x; $(cat "$block")" ;;
    *.python) /usr/bin/python3 "$block" ;;
  esac
done
echo "readme-tour: $ran blocks ran"
