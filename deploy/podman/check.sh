#!/bin/sh
# `make deploy-check`: the whole compose stack brought up with Podman, for real, and the smoke scenario
# run against it through the proxy; then torn down. Run as root from the repository root, on a host with
# Debian's podman, podman-compose and debootstrap (deploy/README.md, "Bring the stack up with Podman").
#
#   1. base      localhost/sopro-base:bookworm: debootstrapped Debian bookworm + python3 (base.sh)
#   2. build     postgres, rabbitmq, caddy from Debian's packages; the SoPro image (deploy/Dockerfile)
#   3. secrets   sopro deploy init --dir deploy/secrets --domain localhost (kept if there)
#   4. up        podman-compose -p sopro-check up -d (ports 80 and 443 of the host must be free), then wait until every container's health check passes
#   5. smoke     tests/deploy/smoke_stack.py through https://<service>.localhost (the proxy)
#   6. down      podman-compose down -v (also when an earlier step failed; KEEP_STACK=1 keeps it up)
#
# Each step's output goes to test-artifacts/deploy-check/<step>.log, with its duration in times.log.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
export CONTAINERS_CONF="$ROOT/deploy/podman/containers.conf"
LOGS="$ROOT/test-artifacts/deploy-check"
PY=${PYTHON:-$ROOT/.venv/bin/python}
PROJECT=${SOPRO_PROJECT:-sopro-check}  # its own project: never a real deployment's containers or volumes
BASE=localhost/sopro-base:bookworm
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-900}
COMPOSE="podman-compose -p $PROJECT -f docker-compose.yml -f deploy/podman/compose.podman.yml"
mkdir -p "$LOGS"
: > "$LOGS/times.log"

step() {  # step <name> <command...>: runs it, its output into <name>.log, its duration into times.log
    name=$1; shift
    echo "== $name: $*"
    t0=$(date +%s)
    if "$@" > "$LOGS/$name.log" 2>&1; then rc=0; else rc=$?; fi
    t1=$(date +%s)
    echo "$name $((t1 - t0))s rc=$rc" | tee -a "$LOGS/times.log"
    if [ "$rc" != 0 ]; then
        echo "== $name failed (rc=$rc); the last lines of $LOGS/$name.log:"
        tail -n 30 "$LOGS/$name.log"
    fi
    return "$rc"
}

build_images() {
    for what in postgres rabbitmq caddy; do
        podman build --build-arg BASE_IMAGE=$BASE -f deploy/podman/$what.Containerfile \
            -t localhost/sopro-$what:bookworm deploy/podman || return 1
    done
    podman build --build-arg BASE_IMAGE=$BASE -f deploy/Dockerfile -t localhost/sopro-federation:latest .
}

secrets() {
    "$PY" -m services.cli deploy init --dir deploy/secrets --domain localhost
}

containers() {  # the compose project's containers
    podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}'
}

wait_healthy() {
    # Podman 4.3 runs health checks from systemd timers; without systemd nobody runs them, so run them here
    # (`podman healthcheck run`, the compose file's own checks) until every container with one passes.
    deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
    while :; do
        pending=""
        for c in $(containers); do
            if [ "$(podman inspect -f '{{.State.Running}}' "$c")" != true ]; then
                pending="$pending $c(not running)"
                continue
            fi
            podman inspect -f '{{if .Config.Healthcheck}}yes{{end}}' "$c" | grep -q yes || continue
            podman healthcheck run "$c" > /dev/null 2>&1 || pending="$pending $c"
        done
        if [ -z "$pending" ]; then
            echo "$(date -u +%T) every container is healthy:"; podman ps --filter "label=io.podman.compose.project=$PROJECT"
            return 0
        fi
        echo "$(date -u +%T) waiting for:$pending"
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "not healthy after ${HEALTH_TIMEOUT}s"; podman ps -a --filter "label=io.podman.compose.project=$PROJECT"
            return 1
        fi
        sleep 10
    done
}

up() {
    # A clean start: what an earlier run left (KEEP_STACK=1, an interrupted run) goes, with its volumes.
    if [ -n "$(containers)" ]; then $COMPOSE down -v; fi
    $COMPOSE up -d && wait_healthy
}

smoke() {
    "$PY" tests/deploy/smoke_stack.py --project "$PROJECT"
}

down() {
    for c in $(containers); do
        echo "===== podman logs $c"; podman logs "$c" 2>&1 | tail -n 200
    done
    $COMPOSE down -v
}

t_start=$(date +%s)
rc=0
step base deploy/podman/base.sh \
  && step build build_images \
  && step secrets secrets \
  && step up up \
  && step smoke smoke \
  || rc=$?
if [ "${KEEP_STACK:-0}" = 1 ]; then
    echo "KEEP_STACK=1: the stack stays up ($COMPOSE down -v to end it)"
else
    step down down || true
fi
echo "total $(( $(date +%s) - t_start ))s rc=$rc" | tee -a "$LOGS/times.log"
exit "$rc"
