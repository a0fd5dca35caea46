#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) without Docker.
#
#   broker/kafka.sh up | down | status | fetch
#
# Jars come from Maven Central (broker/pom.xml) into .cache/kafka/ once; data and logs live in
# .state/kafka/. Both folders are git-ignored. Settings (environment):
#   KAFKA_PORT        client port on 127.0.0.1          (default 9092)
#   KAFKA_SASL_PORT   extra SASL_PLAINTEXT/SCRAM port     (default: none)
#   KAFKA_SASL_SSL_PORT  extra SASL_SSL/SCRAM port      (default: none; needs KAFKA_SSL_KEYSTORE)
#   KAFKA_SSL_PORT    extra SSL port                     (default: none; needs KAFKA_SSL_KEYSTORE)
#   KAFKA_SASL_USER / KAFKA_SASL_PASSWORD  SCRAM user created at format time (with a SASL port)
#   KAFKA_SSL_KEYSTORE / KAFKA_SSL_KEYSTORE_PASSWORD  PKCS12 file with the broker's key and
#                     certificate chain, and its password (for the TLS ports)
#   KAFKA_HEAP        JVM heap                           (default 512m)
#   KAFKA_STATE_DIR   data and log folder                (default .state/kafka)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
port=${KAFKA_PORT:-9092}
sasl_port=${KAFKA_SASL_PORT:-}
sasl_ssl_port=${KAFKA_SASL_SSL_PORT:-}
ssl_port=${KAFKA_SSL_PORT:-}
keystore=${KAFKA_SSL_KEYSTORE:-}
keystore_password=${KAFKA_SSL_KEYSTORE_PASSWORD:-}
sasl_user=${KAFKA_SASL_USER:-distillguard}
sasl_password=${KAFKA_SASL_PASSWORD:-distillguard-secret}
heap=${KAFKA_HEAP:-512m}
cache="$root/.cache/kafka"
state=${KAFKA_STATE_DIR:-$root/.state/kafka}
pidfile="$state/kafka.pid"
cfg="$state/server.properties"

say() { echo "kafka: $*" >&2; }
die() { say "$*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed. $2"
}

fetch() {
  if [ -f "$cache/lib/.complete" ]; then return 0; fi
  need java "Install Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless)."
  need mvn "Install Maven (Debian: apt-get install -y maven)."
  say "fetching Apache Kafka jars from Maven Central into $cache/lib (once)"
  rm -rf "$cache/lib"; mkdir -p "$cache/lib"
  mvn -q -B -f "$root/broker/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$cache/lib" -DincludeScope=runtime \
    || die "maven could not resolve the broker jars (see output above)"
  touch "$cache/lib/.complete"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

answers_metadata() {
  # A real metadata round trip when the project venv exists; else the broker's own log line.
  local py="$root/.venv/bin/python"
  if [ -x "$py" ] && "$py" -c "import kafka" 2>/dev/null; then
    "$py" - "$port" <<'PY' 2>/dev/null
import sys
from kafka import KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{sys.argv[1]}", request_timeout_ms=3000)
admin.list_topics()
admin.close()
PY
  else
    port_open "$port" && grep -q "Kafka Server started" "$state/logs/server.log" 2>/dev/null
  fi
}

uses_sasl() {
  [ -n "$sasl_port" ] || [ -n "$sasl_ssl_port" ]
}

uses_tls() {
  [ -n "$sasl_ssl_port" ] || [ -n "$ssl_port" ]
}

add_listener() {  # NAME PORT: one more listener on 127.0.0.1 when PORT is set (write_config's locals)
  [ -n "$2" ] || return 0
  listeners="$listeners,$1://127.0.0.1:$2"
  advertised="$advertised,$1://127.0.0.1:$2"
  protomap="$protomap,$1:$1"
}

write_config() {
  mkdir -p "$state/data" "$state/logs"
  local ctl=$((port + 1))
  local listeners="PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctl"
  local advertised="PLAINTEXT://127.0.0.1:$port"
  local protomap="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  add_listener SASL_PLAINTEXT "$sasl_port"
  add_listener SASL_SSL "$sasl_ssl_port"
  add_listener SSL "$ssl_port"
  cat > "$cfg" <<CFG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protomap
log.dirs=$state/data
num.partitions=4
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=104857600
CFG
  if uses_sasl; then
    echo "sasl.enabled.mechanisms=SCRAM-SHA-256" >> "$cfg"
  fi
  local scram="scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  if [ -n "$sasl_port" ]; then echo "listener.name.sasl_plaintext.$scram" >> "$cfg"; fi
  if [ -n "$sasl_ssl_port" ]; then echo "listener.name.sasl_ssl.$scram" >> "$cfg"; fi
  if uses_tls; then
    [ -f "$keystore" ] || die "KAFKA_SSL_KEYSTORE must name the broker's PKCS12 keystore for the TLS ports"
    cat >> "$cfg" <<CFG
ssl.keystore.type=PKCS12
ssl.keystore.location=$keystore
ssl.keystore.password=$keystore_password
ssl.key.password=$keystore_password
ssl.client.auth=none
CFG
  fi
}

format_storage() {
  [ -f "$state/data/meta.properties" ] && return 0
  local id extra=()
  id=$(java -cp "$cache/lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  if uses_sasl; then
    extra=(--add-scram "SCRAM-SHA-256=[name=$sasl_user,password=$sasl_password]")
  fi
  java -cp "$cache/lib/*" -Dlog4j2.configurationFile="$root/broker/log4j2.properties" \
    -Dkafka.logs.dir="$state/logs" kafka.tools.StorageTool format \
    -t "$id" -c "$cfg" "${extra[@]}" >"$state/logs/format.log" 2>&1 \
    || { cat "$state/logs/format.log" >&2; die "formatting KRaft storage failed"; }
}

up() {
  need java "Install Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless)."
  if running; then say "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return 0; fi
  if port_open "$port"; then die "port $port is taken by another process; set KAFKA_PORT"; fi
  fetch
  write_config
  format_storage
  say "starting on 127.0.0.1:$port (heap $heap, state $state)"
  nohup java "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$root/broker/log4j2.properties" -Dkafka.logs.dir="$state/logs" \
    -cp "$cache/lib/*" kafka.Kafka "$cfg" >"$state/logs/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if ! running; then tail -n 30 "$state/logs/stdout.log" "$state/logs/server.log" >&2 || true; die "broker exited during start-up"; fi
    if answers_metadata; then say "ready on 127.0.0.1:$port"; return 0; fi
    sleep 0.5
  done
  die "broker did not answer metadata requests within 60 s (see $state/logs/server.log)"
}

down() {
  if ! running; then say "not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped"; return 0; }
    sleep 0.5
  done
  say "did not stop in 30 s; killing"; kill -9 "$pid" 2>/dev/null || true; rm -f "$pidfile"
}

status() {
  if running && answers_metadata; then say "running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return 0; fi
  if running; then say "process $(cat "$pidfile") alive but not answering on 127.0.0.1:$port"; return 1; fi
  say "not running"; return 1
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  fetch) fetch ;;
  wipe) down; rm -rf "$state"; say "state wiped" ;;
  *) echo "usage: $0 up|down|status|fetch|wipe" >&2; exit 2 ;;
esac
