# Shared by the .ci scripts, which source it: what several of them do.
# shellcheck shell=bash

# await PID LOG: waits for a step started in the background; if it failed,
# shows its log and stops the script.
await() {
  wait "$1" || { cat "$2"; exit 1; }
}

# module_src MODULE@VERSION DIR: copies a Go module's source, from the
# module cache (downloaded if need be), into DIR, writable, and prints DIR.
# The module's JSON description (go mod download -json) is left in
# $DIR.module.json, for what it says beside the source (its date).
module_src() {
  local json src
  json=$(go mod download -json "$1")
  src=$(printf '%s\n' "$json" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { echo "module $1 introuvable" >&2; return 1; }
  # Inside $(…), set -e is off: each step says when it fails.
  mkdir -p "$2" && cp -r "$src/." "$2" && chmod -R u+w "$2" &&
    printf '%s\n' "$json" >"$2.module.json" || return 1
  echo "$2"
}

# suite_objects [DOCKER]: one line per object that a run of the suite made
# on the engine (DOCKER, "docker" by default, is the command that reaches
# it): its kind, its id or name, and the scope label it carries
# ("<run>.<script>"; an anonymous volume's marker carries its scope in
# tpdocker.anonymous.scope). It fails if the engine does not answer: an
# empty list is then never taken for a clean engine.
suite_objects() {
  local dk=${1:-docker} ids
  $dk ps -a --filter label=tpdocker.scope --format 'conteneur {{.ID}} {{.Label "tpdocker.scope"}}' || return 1
  $dk network ls --filter label=tpdocker.scope --format 'réseau {{.ID}} {{.Label "tpdocker.scope"}}' || return 1
  $dk volume ls --filter label=tpdocker.scope --format 'volume {{.Name}} {{.Label "tpdocker.scope"}}' || return 1
  $dk volume ls --filter label=tpdocker.anonymous.scope --format 'volume {{.Name}} {{.Label "tpdocker.anonymous.scope"}}' || return 1
  ids=$($dk images -aq --no-trunc --filter label=tpdocker.scope) || return 1
  # An image removed between the two calls is no longer the suite's.
  printf '%s\n' "$ids" | sort -u | grep . |
    xargs -r -I{} $dk image inspect --format 'image {{.ID}} {{index .Config.Labels "tpdocker.scope"}}' {} 2>/dev/null || true
}
