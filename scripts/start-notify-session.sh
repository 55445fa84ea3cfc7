#!/usr/bin/env bash
# A headless desktop for real notification tests: Xvfb, a session D-Bus and dunst owning
# org.freedesktop.Notifications. Writes DISPLAY and DBUS_SESSION_BUS_ADDRESS as `export` lines to
# the file given as $1 (default /tmp/dify-monitor-notify.env) for `source`. Idempotent: a session
# the file describes that still answers is reused, and only what has died is started again.
# Needs the Debian packages xvfb, dbus-x11 (or dbus-daemon), dunst and libnotify-bin.
set -euo pipefail

ENV_FILE=${1:-/tmp/dify-monitor-notify.env}
LOG_DIR=${NOTIFY_SESSION_LOG_DIR:-/tmp/dify-monitor-notify}
FIRST_DISPLAY=99
LAST_DISPLAY=199
WAIT_STEPS=100 # of 0.1 s

fail() {
  echo "start-notify-session: $*" >&2
  exit 1
}

for cmd in Xvfb dbus-daemon dbus-send dunst notify-send; do
  command -v "$cmd" >/dev/null ||
    fail "$cmd is not installed (apt-get install -y xvfb dbus-x11 dunst libnotify-bin)"
done
mkdir -p "$LOG_DIR"

# A display is alive when its socket exists and the server in its lock file runs.
display_alive() {
  local n=${1#:}
  [ -S "/tmp/.X11-unix/X$n" ] && [ -f "/tmp/.X$n-lock" ] && kill -0 "$(tr -d ' ' <"/tmp/.X$n-lock")" 2>/dev/null
}

bus_call() {
  DBUS_SESSION_BUS_ADDRESS=$1 timeout 5 dbus-send --session --print-reply --dest=org.freedesktop.DBus \
    /org/freedesktop/DBus "${@:2}" 2>/dev/null
}

bus_alive() { bus_call "$1" org.freedesktop.DBus.GetId >/dev/null; }

notifications_owned() {
  bus_call "$1" org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications | grep -q 'boolean true'
}

wait_for() {
  local what=$1
  shift
  for _ in $(seq "$WAIT_STEPS"); do
    "$@" && return 0
    sleep 0.1
  done
  fail "$what did not come up within $((WAIT_STEPS / 10)) s (logs in $LOG_DIR)"
}

display=''
bus=''
if [ -f "$ENV_FILE" ]; then
  display=$(sed -n "s/^export DISPLAY='\(.*\)'$/\1/p" "$ENV_FILE")
  bus=$(sed -n "s/^export DBUS_SESSION_BUS_ADDRESS='\(.*\)'$/\1/p" "$ENV_FILE")
fi

if [ -n "$display" ] && display_alive "$display"; then
  echo "reusing X display $display" >&2
else
  display=''
  for n in $(seq "$FIRST_DISPLAY" "$LAST_DISPLAY"); do
    if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then
      display=":$n"
      break
    fi
  done
  [ -n "$display" ] || fail "no free X display between :$FIRST_DISPLAY and :$LAST_DISPLAY"
  echo "starting Xvfb on $display" >&2
  # Detached and off our stdout, so that a caller reading this script's output is not held open.
  setsid -f Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp </dev/null >"$LOG_DIR/xvfb.log" 2>&1
  wait_for "Xvfb on $display" display_alive "$display"
fi

if [ -n "$bus" ] && bus_alive "$bus"; then
  echo "reusing session bus $bus" >&2
else
  bus=$(dbus-daemon --session --fork --print-address </dev/null 2>"$LOG_DIR/dbus.log")
  [ -n "$bus" ] || fail "dbus-daemon printed no address (see $LOG_DIR/dbus.log)"
  echo "started session bus $bus" >&2
fi

if notifications_owned "$bus"; then
  echo "org.freedesktop.Notifications is already served" >&2
else
  echo "starting dunst" >&2
  DISPLAY=$display DBUS_SESSION_BUS_ADDRESS=$bus setsid -f dunst </dev/null >"$LOG_DIR/dunst.log" 2>&1
  wait_for "dunst on org.freedesktop.Notifications" notifications_owned "$bus"
fi

tmp=$(mktemp "$ENV_FILE.XXXXXX")
printf "export DISPLAY='%s'\nexport DBUS_SESSION_BUS_ADDRESS='%s'\n" "$display" "$bus" >"$tmp"
mv "$tmp" "$ENV_FILE"
echo "notification session ready: source $ENV_FILE" >&2
