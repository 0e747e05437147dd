#!/usr/bin/env bash
# Fetches the GraphiQL playground's assets at the versions pinned in
# assets/graphiql/versions.txt from the npm registry (`npm pack`), checks that each
# package is MIT-licensed, and copies the listed files (licence included) into
# assets/graphiql/PACKAGE/. The server embeds these files (src/http/graphiql.rs), so
# rebuild afterwards; nothing is fetched at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

manifest=assets/graphiql/versions.txt
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

while read -r package version files; do
  case "$package" in ''|'#'*) continue ;; esac
  echo "update-graphiql-assets: $package@$version"
  mkdir -p "$work/$package"
  tarball="$(cd "$work/$package" && npm pack --silent "$package@$version")"
  tar -xzf "$work/$package/$tarball" -C "$work/$package"
  licence="$(node -p "require('$work/$package/package/package.json').license")"
  if [ "$licence" != "MIT" ]; then
    echo "update-graphiql-assets: $package@$version is licensed \"$licence\", not MIT; refusing to vendor it" >&2
    exit 1
  fi
  target="assets/graphiql/$package"
  rm -rf "$target"
  mkdir -p "$target"
  for file in $files; do
    cp "$work/$package/package/$file" "$target/$(basename "$file")"
  done
done < "$manifest"
echo "update-graphiql-assets: done; rebuild the server to embed them"
