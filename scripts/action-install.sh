#!/usr/bin/env bash
# The GitHub Action's install step: the release binary for this runner
# when the release has one (its SHA-256 checked), else `cargo install
# --locked` of the action's own checkout. Puts linkrot on GITHUB_PATH.
#
#   INPUT_VERSION  a release tag (v0.2.0), or latest
set -euo pipefail
version=${INPUT_VERSION:-latest}
dest=${RUNNER_TEMP:-/tmp}/linkrot
mkdir -p "$dest/bin"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  *) target= ;;
esac
repo=${GITHUB_ACTION_REPOSITORY:-}
installed=false
if [ -n "$target" ] && [ -n "$repo" ]; then
  base=https://github.com/$repo/releases
  if [ "$version" = latest ]; then url=$base/latest/download; else url=$base/download/$version; fi
  asset=linkrot-$target.tar.gz
  tmp=$(mktemp -d)
  if curl -fsSL "$url/$asset" -o "$tmp/$asset" && curl -fsSL "$url/$asset.sha256" -o "$tmp/$asset.sha256"; then
    (cd "$tmp" && if command -v sha256sum >/dev/null; then sha256sum -c "$asset.sha256"; else shasum -a 256 -c "$asset.sha256"; fi)
    tar -xzf "$tmp/$asset" -C "$tmp"
    install -m 755 "$tmp/linkrot-$target/linkrot" "$dest/bin/linkrot"
    installed=true
  else
    echo "no release binary of linkrot $version for $target; building it"
  fi
  rm -rf "$tmp"
fi
if [ "$installed" = false ]; then
  cargo install --locked --path "${GITHUB_ACTION_PATH:-.}" --root "$dest"
fi
echo "$dest/bin" >>"${GITHUB_PATH:-/dev/null}"
"$dest/bin/linkrot" --version
