#!/usr/bin/env bash
# Checks the mock Sent.dm API (sentdm-mock) against spec/openapi.json with Schemathesis, an
# independent OpenAPI conformance tester, running every check it has: each response's status,
# content type, headers and body must be what the spec documents for the operation; no 5xx;
# requests without the API key are refused; schema-valid requests are accepted and invalid ones
# rejected. The mock starts with the resources of the docs' examples; a few more are created, and
# the ids of both are offered to the path parameters (and the profiles' to `x-profile-id`), so
# operations on existing items and profile-scoped requests are exercised as well as the 404s.
# The copy of the spec Schemathesis reads declares every optional request member nullable: the
# mock takes `null` for one as absent, as the API does for clients that send `null` for members
# they leave unset, so `null` there is valid data, not invalid.
#
# Environment:
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 100)
#   SCHEMATHESIS_SEED          seed of the run (default 20261122)
#   SCHEMATHESIS_CHECKS        checks to run (default: all)
#   CARGO_TARGET_DIR           honoured when set
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

version=4.32.5
venv="$root/target/schemathesis-venv"
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-100}
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

workdir=$(mktemp -d)
log="$workdir/mock.log"
"$bin" --port 0 --api-key "$api_key" --rate-limit 1000000 --window-secs 60 >"$log" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$workdir"
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

# Add resources to the docs' ones, so that operations on existing items are reached too, and bind
# the ids of both to the path parameters (Schemathesis still generates other values as well).
config="$workdir/schemathesis.toml"
spec="$workdir/openapi.json"
"$venv/bin/python" - "$url" "$api_key" "$config" "$root/spec/openapi.json" "$spec" <<'PY'
import copy
import json
import sys
import urllib.request

url, key, config, spec_in, spec_out = sys.argv[1:6]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("x-api-key", key)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)["data"]


ids = {name: [] for name in ["contact", "template", "webhook", "message", "user", "profile", "campaign"]}
# The docs' resources the mock starts with.
for name, path, member in [
    ("contact", "/v3/contacts?page=1&page_size=100", "contacts"),
    ("template", "/v3/templates?page=1&page_size=100", "templates"),
    ("webhook", "/v3/webhooks?page=1&page_size=100", "webhooks"),
    ("user", "/v3/users", "users"),
    ("profile", "/v3/profiles", "profiles"),
]:
    ids[name] += [item["id"] for item in call("GET", path)[member]]
for profile in list(ids["profile"]):
    ids["campaign"] += [c["id"] for c in call("GET", f"/v3/profiles/{profile}/campaigns")]
ids["campaign"] = sorted(set(ids["campaign"]))
for i in range(3):
    ids["contact"].append(call("POST", "/v3/contacts", {"phone_number": f"+1415555010{i}"})["id"])
    ids["template"].append(call("POST", "/v3/templates", {
        "name": f"seed_{i}", "category": "UTILITY", "language": "en_US",
        "definition": {"body": {"content": "Hello {{name}}"}},
    })["id"])
    ids["user"].append(call("POST", "/v3/users", {"email": f"seed{i}@example.com", "role": "developer"})["id"])
for i in range(2):
    ids["webhook"].append(call("POST", "/v3/webhooks", {
        "display_name": f"seed {i}", "endpoint_url": "http://127.0.0.1:9/hook",
    })["id"])
    profile = call("POST", "/v3/profiles", {"name": f"Seed {i}", "short_name": f"SEED{i}"})["id"]
    ids["profile"].append(profile)
    ids["campaign"].append(call("POST", f"/v3/profiles/{profile}/campaigns", {
        "name": "Seed", "useCases": [{"messagingUseCaseUs": "ACCOUNT_NOTIFICATION", "sampleMessages": ["Hi"]}],
    })["id"])
    sent = call("POST", "/v3/messages", {"to": ["+14155550100"], "template": {"id": ids["template"][0]}})
    ids["message"] += [r["message_id"] for r in sent["recipients"]]

bindings = {
    "/v3/contacts/{id}": {"path.id": "contact"},
    "/v3/templates/{id}": {"path.id": "template"},
    "/v3/messages": {"body.template.id": "template"},
    "/v3/messages/{id}": {"path.id": "message"},
    "/v3/messages/{id}/activities": {"path.id": "message"},
    "/v3/users/{userId}": {"path.userId": "user"},
    "/v3/webhooks/{id}": {"path.id": "webhook"},
    "/v3/webhooks/{id}/events": {"path.id": "webhook"},
    "/v3/webhooks/{id}/rotate-secret": {"path.id": "webhook"},
    "/v3/webhooks/{id}/test": {"path.id": "webhook"},
    "/v3/webhooks/{id}/toggle-status": {"path.id": "webhook"},
    "/v3/profiles/{profileId}": {"path.profileId": "profile"},
    "/v3/profiles/{profileId}/complete": {"path.profileId": "profile"},
    "/v3/profiles/{profileId}/campaigns": {"path.profileId": "profile"},
    "/v3/profiles/{profileId}/campaigns/{campaignId}": {"path.profileId": "profile", "path.campaignId": "campaign"},
}
with open(spec_in) as f:
    document = json.load(f)
# Profiles are offered to `x-profile-id` on every operation.
for path in document["paths"]:
    bindings.setdefault(path, {})["header.x-profile-id"] = "profile"
with open(config, "w") as f:
    for name, values in ids.items():
        f.write(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n\n")
    for path, params in bindings.items():
        f.write(f"[[operations]]\ninclude-path = {json.dumps(path)}\n")
        # Existing ids most of the time; profiles now and then, as most requests are the
        # organization's own.
        inline = ", ".join(
            f'{json.dumps(k)} = {{ dictionary = "{v}", probability = {0.2 if k.startswith("header.") else 0.8} }}'
            for k, v in params.items()
        )
        f.write(f"parameters = {{ {inline} }}\n\n")
print("schemathesis.sh: ids offered:", ", ".join(f"{len(v)} {k}s" for k, v in ids.items()))


def resolve(ref):
    target = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def inline(schema, depth=0):
    """The schema with its references replaced by copies of what they name."""
    if depth > 40:
        return schema
    if isinstance(schema, list):
        return [inline(s, depth + 1) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return inline(copy.deepcopy(resolve(schema["$ref"])), depth + 1)
    return {k: inline(v, depth + 1) for k, v in schema.items()}


def nullable_optionals(schema):
    """Declares the optional members of every object in a request schema nullable."""
    if not isinstance(schema, dict):
        return
    for part in schema.get("allOf", []):
        nullable_optionals(part)
    for nested in ("items", "additionalProperties"):
        nullable_optionals(schema.get(nested))
    required = set(schema.get("required", []))
    for name, member in list(schema.get("properties", {}).items()):
        nullable_optionals(member)
        if name not in required and not member.get("nullable"):
            schema["properties"][name] = {"allOf": [member], "nullable": True}


loosened = 0
for item in document["paths"].values():
    for op in item.values():
        media = op.get("requestBody", {}).get("content", {}).get("application/json") if isinstance(op, dict) else None
        if media and "schema" in media:
            media["schema"] = inline(media["schema"])
            nullable_optionals(media["schema"])
            loosened += 1
with open(spec_out, "w") as f:
    json.dump(document, f)
print(f"schemathesis.sh: optional members of {loosened} request bodies declared nullable")
PY

# One worker: with two, Hypothesis describes strategies by parsing source with `ast.parse` in
# two threads at once, which CPython 3.11 can fail with "SystemError: AST constructor recursion
# depth mismatch" (python/cpython#106905), stopping the run for a reason that is not the mock's.
status=0
"$venv/bin/schemathesis" --config-file "$config" run "$spec" \
    --url "$url" \
    --header "x-api-key: $api_key" \
    --checks "${SCHEMATHESIS_CHECKS:-all}" \
    --phases examples,coverage,fuzzing \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 1 \
    --request-timeout 10 \
    --suppress-health-check all \
    --generation-database none \
    --no-color || status=$?

if [ "$status" -ne 0 ]; then
    echo "schemathesis.sh: FAILED (exit $status)" >&2
    exit "$status"
fi
echo "schemathesis.sh: passed"
