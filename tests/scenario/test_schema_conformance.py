#!/usr/bin/env python3
"""scenarios/schema.json against an independent validator (Debian's
python3-jsonschema, Draft 2020-12) and the cloudpact binary.

- scenarios/schema.json is byte for byte what `cloudpact schema` prints, and a
  valid Draft 2020-12 schema;
- every shipped scenario (scenarios/*.json but schema.json and sweep files)
  and every fixture in tests/scenario/fixtures/valid/ passes the schema and
  `cloudpact validate`;
- every fixture in tests/scenario/fixtures/invalid/ breaks one rule a schema
  can state (its "x-why" says which, its "x-pointer" where): the schema
  refuses it at or above that pointer, and `cloudpact validate` exits 2 with
  one line naming that pointer.
Cross-references, date order and machine limits are beyond a schema and have
no fixture here (tests/scenario/test_invalid_input.cpp covers them).

Run by meson (suite schema_py) with CLOUDPACT_BIN set; exits 77 (skipped)
without the jsonschema module.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: skipped (scripts/setup installs it)")
    sys.exit(77)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "scenario" / "fixtures"
SCHEMA_PATH = ROOT / "scenarios" / "schema.json"
# The kinds of rule the invalid fixtures must cover, by file name prefix.
KINDS = ("unknown-", "type-", "range-", "missing-", "pattern-", "enum-", "empty-", "exclusive-")

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def cloudpact(*args):
    binary = os.environ.get("CLOUDPACT_BIN")
    if not binary:
        sys.exit("CLOUDPACT_BIN is not set (meson sets it to the built cloudpact)")
    return subprocess.run([binary, *args], cwd=ROOT, capture_output=True, timeout=120)


def tokens(pointer):
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def is_sweep(doc):
    return isinstance(doc, dict) and "base" in doc and "providers" not in doc


def main():
    schema_bytes = SCHEMA_PATH.read_bytes()
    printed = cloudpact("schema")
    if printed.returncode != 0 or printed.stdout != schema_bytes:
        fail("scenarios/schema.json differs from `cloudpact schema` (regenerate: "
             "CLOUDPACT_UPDATE_SCHEMA=1 build/tests/test_schema)")

    schema = json.loads(schema_bytes)
    jsonschema.Draft202012Validator.check_schema(schema)
    if jsonschema.validators.validator_for(schema) is not jsonschema.Draft202012Validator:
        fail("the schema does not declare Draft 2020-12")
    validator = jsonschema.Draft202012Validator(schema)

    # Controls: the validator in use does refuse, with 2020-12 semantics
    # (prefixItems, which older drafts ignore), and so does the binary.
    base = json.loads((FIXTURES / "valid" / "base.json").read_text())
    if not list(validator.iter_errors({})):
        fail("control: the validator accepts an empty document")
    bent = json.loads(json.dumps(base))
    bent["providers"][0]["regions"][0]["clusters"][1]["capacity_gpus"]["points"][1][1] = -1
    if not list(validator.iter_errors(bent)):
        fail("control: the validator ignores prefixItems (not Draft 2020-12 semantics)")
    if list(validator.iter_errors(base)):
        fail("control: the validator refuses the base fixture")
    empty = cloudpact("validate", "/dev/null")
    if empty.returncode != 2:
        fail(f"control: `cloudpact validate /dev/null` exited {empty.returncode}, not 2")

    valid = [p for p in sorted((ROOT / "scenarios").glob("*.json"))
             if p.name != "schema.json" and not is_sweep(json.loads(p.read_text()))]
    valid += sorted((FIXTURES / "valid").glob("*.json"))
    if len(valid) < 14:
        fail(f"only {len(valid)} valid documents found")
    for path in valid:
        for error in validator.iter_errors(json.loads(path.read_text())):
            fail(f"{path.relative_to(ROOT)}: the schema refuses a valid document: "
                 f"{error.json_path}: {error.message[:200]}")
    checked = cloudpact("validate", *[str(p.relative_to(ROOT)) for p in valid])
    if checked.returncode != 0 or checked.stdout or checked.stderr:
        fail("`cloudpact validate` refuses valid documents: " + (checked.stdout + checked.stderr).decode())

    invalid = sorted((FIXTURES / "invalid").glob("*.json"))
    for kind in KINDS:
        if not any(p.name.startswith(kind) for p in invalid):
            fail(f"no invalid fixture of the kind {kind}*")
    for path in invalid:
        name = str(path.relative_to(ROOT))
        doc = json.loads(path.read_text())
        pointer = doc.get("x-pointer")
        if not isinstance(pointer, str) or not doc.get("x-why"):
            fail(f"{name}: no \"x-why\" and \"x-pointer\"")
            continue
        errors = list(validator.iter_errors(doc))
        if not errors:
            fail(f"{name}: the schema accepts it ({doc['x-why']})")
        elif not any(list(map(str, e.absolute_path)) == tokens(pointer)[:len(e.absolute_path)] for e in errors):
            fail(f"{name}: the schema refuses it elsewhere than at or above {pointer}: "
                 + "; ".join(f"{e.json_path}: {e.message[:120]}" for e in errors))
        result = cloudpact("validate", name)
        lines = result.stdout.decode().splitlines() + result.stderr.decode().splitlines()
        if result.returncode != 2:
            fail(f"{name}: `cloudpact validate` exited {result.returncode}, not 2 ({doc['x-why']})")
        elif len(lines) != 1 or not lines[0].startswith(f"{name}: {pointer}: "):
            fail(f"{name}: `cloudpact validate` does not name {pointer} in one line: {lines}")

    print(f"{len(valid)} valid documents, {len(invalid)} invalid fixtures, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
