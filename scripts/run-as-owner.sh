#!/bin/sh
# run-as-owner FOLDER COMMAND...: run COMMAND as the owner of FOLDER (its uid and gid), so that what it
# writes there belongs to whoever owns the folder. The compose services that write a folder of the host
# (a bind mount keeps the host's owner, whom the image's user, uid 1000, may not be) start as root and
# run their command through this, as the host user who made the folder.
set -eu
folder=$1
shift
mkdir -p "$folder"
uid=$(stat -c %u "$folder")
gid=$(stat -c %g "$folder")
HOME=${TMPDIR:-/tmp} exec setpriv --reuid "$uid" --regid "$gid" --clear-groups -- "$@"
