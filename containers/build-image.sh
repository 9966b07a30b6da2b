#!/usr/bin/env bash
# Builds the noise OCI image without a Docker engine, from Debian's packages only:
#   1. dotnet publish, self-contained for linux-x64 (ReadyToRun), configs included;
#   2. debootstrap a minimal Debian bookworm root file system (what the .NET runtime needs: libc, libstdc++,
#      libssl for SHA-256, zlib, CA certificates), the publish in /opt/noise, a non-root user;
#   3. buildah (vfs storage) commits it with the OCI labels, entrypoint and user, and pushes an oci-archive.
# The same image content as containers/Dockerfile (which needs an engine and the .NET images).
# usage: containers/build-image.sh [WORK_DIR=containers/.build]   prints the archive path on its last line
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mkdir -p "${1:-containers/.build}" && cd "${1:-containers/.build}" && pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
image=localhost/noise:$version
archive=$work/noise-$version.oci.tar
bah() { buildah --storage-driver vfs "$@"; }

echo "== publish (self-contained linux-x64)"
dotnet publish src/Noise.Cli -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -o "$work/publish" >/dev/null

rootfs=$work/rootfs
if [ ! -f "$rootfs/.noise-rootfs-complete" ]; then
  echo "== debootstrap minimal Debian bookworm"
  rm -rf "$rootfs"
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  debootstrap --variant=minbase --include=libssl3,zlib1g,libstdc++6,ca-certificates bookworm "$rootfs" ${mirror:+"$mirror"} >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  touch "$rootfs/.noise-rootfs-complete"
fi

echo "== assemble image tree"
tree=$work/tree
rm -rf "$tree" && mkdir -p "$tree"
tar -C "$rootfs" --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* --exclude=./.noise-rootfs-complete -cf - . | tar -C "$tree" -xf -
mkdir -p "$tree/opt/noise" "$tree/data"
cp -a "$work/publish/." "$tree/opt/noise/"
ln -sf /opt/noise/noise "$tree/usr/local/bin/noise"
grep -q '^noise:' "$tree/etc/passwd" || echo 'noise:x:10001:10001:noise:/data:/usr/sbin/nologin' >> "$tree/etc/passwd"
grep -q '^noise:' "$tree/etc/group" || echo 'noise:x:10001:' >> "$tree/etc/group"
chown 10001:10001 "$tree/data"
tar -C "$tree" -cf "$work/tree.tar" .

echo "== buildah commit $image"
ctr=$(bah from scratch)
trap 'bah rm "$ctr" >/dev/null 2>&1 || true' EXIT
bah add "$ctr" "$work/tree.tar" / >/dev/null
bah config --entrypoint '["/opt/noise/noise"]' --cmd info --user 10001:10001 --workingdir /data \
  --env NOISE_CONFIGS=/opt/noise/configs --env DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  --label org.opencontainers.image.title=noise \
  --label org.opencontainers.image.description="Virgo noise digital twin (ILGPU: CUDA or CPU)" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.licenses=MIT \
  --label org.opencontainers.image.created="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "$ctr"
bah commit --quiet "$ctr" "$image" >/dev/null
rm -f "$archive"
bah push --quiet "$image" "oci-archive:$archive:noise:$version"
rm -rf "$tree" "$work/tree.tar"
echo "image $image, $(du -h "$archive" | cut -f1) as $archive"
echo "$archive"
