#!/usr/bin/env bash
# Checks the mock Sent.dm API (sentdm-mock) against spec/openapi.json with Schemathesis, an
# independent OpenAPI conformance tester: every response's status, content type, headers and
# body must be what the spec documents for the operation, and the mock must never answer 5xx.
#
# Environment:
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 30)
#   SCHEMATHESIS_SEED          seed for a reproducible run (default 20261122)
#   CARGO_TARGET_DIR           honoured when set
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

version=4.32.5
venv="$root/target/schemathesis-venv"
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-30}
seed=${SCHEMATHESIS_SEED:-20261122}
api_key=0b7c6d5e-4f3a-4b2c-9d1e-0f9a8b7c6d5e

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $version"; then
    echo "schemathesis.sh: installing schemathesis $version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

echo "schemathesis.sh: building the mock"
cargo build --quiet -p sentdm-mock --bin sentdm-mock
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/debug/sentdm-mock"

log=$(mktemp)
"$bin" --port 0 --api-key "$api_key" --rate-limit 1000000 --window-secs 60 >"$log" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT

url=""
for _ in $(seq 1 100); do
    url=$(sed -n 's/^sentdm-mock listening on //p' "$log")
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        cat "$log" >&2
        echo "schemathesis.sh: the mock exited early" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    cat "$log" >&2
    echo "schemathesis.sh: the mock did not start" >&2
    exit 1
fi
echo "schemathesis.sh: mock at $url"

status=0
"$venv/bin/schemathesis" run "$root/spec/openapi.json" \
    --url "$url" \
    --header "x-api-key: $api_key" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,ignored_auth,missing_required_header,unsupported_method \
    --phases examples,coverage,fuzzing \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 2 \
    --request-timeout 10 \
    --suppress-health-check all \
    --generation-database none \
    --no-color || status=$?

if [ "$status" -ne 0 ]; then
    echo "schemathesis.sh: FAILED (exit $status)" >&2
    exit "$status"
fi
echo "schemathesis.sh: passed"
