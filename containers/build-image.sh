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

echo "== buildah: assemble $image in a working container"
# The root file system and the publish are copied once, straight into the container's mount: staging them in a
# tree and a tree.tar first tripled the disk this step needs, and CI's disk ran out there. Mounting needs root
# (CI runs as root); rootless: `buildah unshare bash containers/build-image.sh`.
ctr=$(bah from scratch)
trap 'bah umount "$ctr" >/dev/null 2>&1 || true; bah rm "$ctr" >/dev/null 2>&1 || true' EXIT
mnt=$(bah mount "$ctr")
tar -C "$rootfs" --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* --exclude=./.noise-rootfs-complete -cf - . | tar -C "$mnt" -xf -
mkdir -p "$mnt/opt/noise" "$mnt/data"
cp -a "$work/publish/." "$mnt/opt/noise/"
ln -sf /opt/noise/noise "$mnt/usr/local/bin/noise"
grep -q '^noise:' "$mnt/etc/passwd" || echo 'noise:x:10001:10001:noise:/data:/usr/sbin/nologin' >> "$mnt/etc/passwd"
grep -q '^noise:' "$mnt/etc/group" || echo 'noise:x:10001:' >> "$mnt/etc/group"
chown 10001:10001 "$mnt/data"
bah umount "$ctr" >/dev/null

echo "== buildah commit $image"
bah config --entrypoint '["/opt/noise/noise"]' --cmd info --user 10001:10001 --workingdir /data \
  --env NOISE_CONFIGS=/opt/noise/configs --env DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  --label org.opencontainers.image.title=noise \
  --label org.opencontainers.image.description="Virgo noise digital twin (ILGPU: CUDA or CPU)" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.licenses=MIT \
  --label org.opencontainers.image.created="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "$ctr"
previous=$(bah images --quiet --no-trunc "$image" 2>/dev/null || true)
bah commit --quiet "$ctr" "$image" >/dev/null
bah rm "$ctr" >/dev/null  # the working container's copy (~0.8 GB) is not needed once committed
# a rebuild leaves the previous image of this tag untagged (~0.8 GB in vfs storage each time): drop that one only
[ -n "$previous" ] && [ "$previous" != "$(bah images --quiet --no-trunc "$image")" ] && { bah rmi "$previous" >/dev/null 2>&1 || true; }
rm -f "$archive"
bah push --quiet "$image" "oci-archive:$archive:noise:$version"
echo "image $image, $(du -h "$archive" | cut -f1) as $archive"
echo "$archive"
