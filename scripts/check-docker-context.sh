#!/usr/bin/env bash
# Replays the Dockerfile's build stage without Docker: a temporary directory gets only the
# files its COPY steps copy (minus .dockerignore'd ones), with their modification times as
# Docker keeps them, and its RUN steps run there in order. Then the runtime stage's binary
# must exist and answer `--version`. This catches a build context that lacks a file the
# build needs (a declared bench, an embedded asset) on machines with no Docker daemon.
#
# Cargo's release profile is kept but not optimised (CARGO_PROFILE_RELEASE_OPT_LEVEL=0) so
# the check costs minutes, not a full optimised build: it is about which files are there.
#
#   scripts/check-docker-context.sh [TARGET_DIR]   (default: target/docker-check)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dockerfile="$repo/Dockerfile"
target_dir="${1:-$repo/target/docker-check}"
mkdir -p "$target_dir"
target_dir="$(cd "$target_dir" && pwd)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

# The build context: every file of the repository except what .dockerignore excludes.
context="$root/context"
mkdir -p "$context"
excludes=()
if [ -f "$repo/.dockerignore" ]; then
  while IFS= read -r pattern; do
    [ -z "$pattern" ] || [[ "$pattern" == \#* ]] || excludes+=("--exclude=$pattern")
  done <"$repo/.dockerignore"
fi
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$repo" && tar "${excludes[@]}" --null -T - -cf -) | (cd "$context" && tar -xpf -)

# The build stage's instructions, continuation lines joined.
stage="$(awk '
  /^FROM / { stages++ }
  stages == 1 && !/^FROM / { print }
' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep -v '^[[:space:]]*#' | grep -v '^[[:space:]]*$')"

fs="$root/fs"
mkdir -p "$fs"
workdir="/"
export CARGO_TARGET_DIR="$target_dir" CARGO_PROFILE_RELEASE_OPT_LEVEL=0
while IFS= read -r line; do
  instruction="${line%% *}"
  arguments="${line#* }"
  case "$instruction" in
    WORKDIR)
      workdir="$arguments"
      mkdir -p "$fs$workdir"
      ;;
    COPY)
      read -r -a parts <<<"$arguments"
      destination="${parts[-1]}"
      [[ "$destination" == /* ]] || destination="$workdir/$destination"
      for source in "${parts[@]:0:${#parts[@]}-1}"; do
        if [ ! -e "$context/$source" ]; then
          echo "docker-context: COPY $source: not in the build context" >&2
          exit 1
        fi
        if [ -d "$context/$source" ]; then
          # As Docker does: a directory's contents go into the destination, merged with
          # what is there.
          mkdir -p "$fs$destination"
          cp -a "$context/$source/." "$fs$destination"
        elif [[ "$destination" == */ ]]; then
          mkdir -p "$fs$destination"
          cp -a "$context/$source" "$fs$destination"
        else
          mkdir -p "$(dirname "$fs$destination")"
          cp -a "$context/$source" "$fs$destination"
        fi
      done
      ;;
    RUN)
      echo "docker-context: RUN $arguments"
      (cd "$fs$workdir" && bash -euo pipefail -c "$arguments")
      ;;
    ENV | ARG | LABEL) ;;
    *)
      echo "docker-context: unsupported instruction in the build stage: $instruction" >&2
      exit 1
      ;;
  esac
done <<<"$stage"

# The runtime stage copies the binary from the build stage's target directory.
binary="$(sed -n 's|^COPY --from=build /src/target/\([^ ]*\) .*|\1|p' "$dockerfile")"
if [ ! -x "$target_dir/$binary" ]; then
  echo "docker-context: the build stage did not produce target/$binary" >&2
  exit 1
fi
"$target_dir/$binary" --version
echo "docker-context: ok"
