#!/usr/bin/env bash
# Replays the Dockerfile's build stage without Docker: a temporary directory gets only the
# files its COPY steps copy (minus .dockerignore'd ones), with their modification times as
# Docker keeps them, and its RUN steps run there in order. This catches a build context
# that lacks a file the build needs (a declared bench, an embedded asset, a migration) on
# machines with no Docker daemon.
#
# What is checked is which files the build sees, not the optimiser: each `cargo build` a RUN
# step makes is run as `cargo check` (dev profile, in the repository's own target directory),
# which runs build.rs and expands every embedding macro just as a build does, and reuses the
# dependencies `cargo clippy` has checked before it in CI, where building them again (once
# for the stand-in layer's profile) took about ten minutes of CI's time. The binary the
# runtime stage copies must be one that a RUN step builds, with the same profile.
#
#   scripts/check-docker-context.sh [TARGET_DIR]   (default: the repository's target/)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dockerfile="$repo/Dockerfile"
target_dir="${1:-$repo/target}"
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

# `cargo` for the RUN steps: `build` becomes `check` (dev profile), and each binary a build
# asks for is written down as PROFILE/NAME, the path it would have under target/.
built="$root/built"
: >"$built"
real_cargo="$(command -v cargo)"
mkdir -p "$root/bin"
cat >"$root/bin/cargo" <<SHIM
#!/usr/bin/env bash
set -euo pipefail
if [ "\${1:-}" != build ]; then exec "$real_cargo" "\$@"; fi
shift
profile=debug
bin=
args=()
while [ \$# -gt 0 ]; do
  case "\$1" in
    --release) profile=release ;;
    --bin) bin="\$2"; args+=("\$1" "\$2"); shift ;;
    *) args+=("\$1") ;;
  esac
  shift
done
[ -z "\$bin" ] || echo "\$profile/\$bin" >>"$built"
exec "$real_cargo" check "\${args[@]}"
SHIM
chmod +x "$root/bin/cargo"

fs="$root/fs"
mkdir -p "$fs"
workdir="/"
export CARGO_TARGET_DIR="$target_dir" PATH="$root/bin:$PATH"
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
if ! grep -qxF "$binary" "$built"; then
  echo "docker-context: the runtime stage copies target/$binary, which no RUN step builds" \
    "(built: $(tr '\n' ' ' <"$built"))" >&2
  exit 1
fi
echo "docker-context: ok (the build stage builds target/$binary)"
