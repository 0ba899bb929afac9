#!/bin/sh
# The local base image localhost/sopro-base:bookworm: a minimal Debian bookworm (debootstrap) with
# python3 (3.11), python3-venv and ca-certificates, imported into Podman. For hosts that reach no
# container registry but do reach a Debian mirror. Run as root.
#   deploy/podman/base.sh [mirror]      (default: the first Debian mirror apt uses here)
set -eu
IMAGE=${SOPRO_BASE_IMAGE_NAME:-sopro-base:bookworm}
if podman image exists "localhost/$IMAGE"; then
    echo "base.sh: localhost/$IMAGE exists (podman rmi it to make it anew)"
    exit 0
fi
MIRROR=${1:-$(grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
             | head -n1 | tr -d ' ')}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
DIR=$(mktemp -d /var/tmp/sopro-base.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
echo "base.sh: debootstrap bookworm from $MIRROR into $DIR"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$DIR" "$MIRROR"
# The host's own certificate authorities (/usr/local/share/ca-certificates: e.g. a TLS-inspecting egress
# proxy's) are trusted in the base too, so that pip in `podman build` reaches the package index as the
# host does; pip is pointed at the system bundle (its own certifi does not know them).
if ls /usr/local/share/ca-certificates/*.crt > /dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$DIR/usr/local/share/ca-certificates/"
    chroot "$DIR" update-ca-certificates
fi
# apt inside the images built on it uses the same mirror; no caches, no docs
echo "deb $MIRROR bookworm main" > "$DIR/etc/apt/sources.list"
chroot "$DIR" apt-get clean
rm -rf "$DIR"/var/lib/apt/lists/* "$DIR"/usr/share/doc/* "$DIR"/usr/share/man/*
"$DIR"/usr/bin/python3 --version 2>/dev/null || chroot "$DIR" python3 --version
tar -C "$DIR" -c . | podman import --change 'CMD ["/bin/bash"]' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' --change 'ENV LANG=C.UTF-8' - "$IMAGE"
echo "base.sh: made localhost/$IMAGE"
