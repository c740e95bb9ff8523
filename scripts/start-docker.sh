#!/usr/bin/env bash
# Starts the Docker engine in the background when it is not running, and waits until it answers.
# Exits non-zero with the daemon's log when it cannot be started.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-docker: dockerd is not installed (apt-get install docker.io)" >&2
  exit 1
fi
log="${DOCKERD_LOG:-/tmp/dockerd.log}"
if pgrep -x dockerd >/dev/null 2>&1; then
  echo "start-docker: dockerd is running; waiting for it to answer"
  daemon_pid=$(pgrep -x dockerd | head -n 1)
else
  # A pid file left by a daemon that was killed stops a new one from starting.
  for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; then rm -f "$pidfile"; fi
  done
  echo "start-docker: starting dockerd (log: $log)"
  setsid nohup dockerd >"$log" 2>&1 </dev/null &
  daemon_pid=$!
fi
for _ in $(seq 1 90); do
  if docker info >/dev/null 2>&1; then
    echo "start-docker: Docker $(docker version --format '{{.Server.Version}}') is up"
    exit 0
  fi
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    break
  fi
  sleep 1
done
echo "start-docker: dockerd did not start; its log follows" >&2
tail -n 50 "$log" >&2 || true
exit 1
