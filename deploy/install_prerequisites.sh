#!/usr/bin/env bash
# Installs what the stack needs from Debian's packages when it is missing: Java 17 and Maven
# (Apache Kafka's jars are resolved from Maven Central), PostgreSQL, kcat (an independent Kafka
# client the tests use for checks) and Chromium (the dashboard is tested in a real browser).
# Safe to run again; does nothing when all are present.
set -euo pipefail

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v kcat >/dev/null || missing+=(kcat)
command -v chromium >/dev/null || missing+=(chromium)   # the dashboard's browser test

if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "missing packages: ${missing[*]} — install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
