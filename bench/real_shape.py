#!/usr/bin/env python3
"""Turns the emulator's bodies into real-API-shaped ones: every optional field filled.

    python bench/real_shape.py OPERATION_ID IN_BODY OUT_BODY

The real API sends almost every optional field of its schemas (settings, owner,
quotas, consumption figures, maintenance windows), the emulator leaves many out.
This walks a recorded body beside the 200 response schema of OPERATION_ID in
spec/generated/neon-openapi.yaml (the merged spec), keeps every value the body
has, and adds each property the schema lists but the body lacks, from the
schema's own `example` where it gives one (else a value of the property's type,
format and enum). Arrays the body has stay their length (an item gets the
fields its own schema lacks); an added array gets one item. Prints the sizes.
"""

import datetime
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "spec", "generated", "neon-openapi.yaml")
MAX_DEPTH = 8


def load_spec():
    with open(SPEC) as f:
        return yaml.safe_load(f)


class Schemas:
    def __init__(self, spec):
        self.components = spec["components"]["schemas"]

    def resolve(self, schema):
        """The schema with $ref followed and allOf merged; oneOf/anyOf take their first branch."""
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
        if not isinstance(schema, dict):
            return {}
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            props = dict(merged.get("properties", {}))
            required = list(merged.get("required", []))
            for part in schema["allOf"]:
                part = self.resolve(part)
                props.update(part.get("properties", {}))
                required += part.get("required", [])
                for k in ("type", "example"):
                    if k in part and k not in merged:
                        merged[k] = part[k]
            merged["properties"], merged["required"] = props, required
            return merged
        for key in ("oneOf", "anyOf"):
            if key in schema and schema[key]:
                return self.resolve(schema[key][0])
        return schema


def plain(value):
    """A YAML value as JSON has it (YAML reads timestamps as datetimes)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def synth(s, schema, name, depth):
    schema = s.resolve(schema)
    if "example" in schema:
        return plain(schema["example"])
    if schema.get("enum"):
        return plain(schema["enum"][0])
    kind = schema.get("type") or ("object" if "properties" in schema else "string")
    if kind == "object":
        if depth >= MAX_DEPTH:
            return {}
        return {k: synth(s, p, k, depth + 1) for k, p in schema.get("properties", {}).items()}
    if kind == "array":
        return [] if depth >= MAX_DEPTH else [synth(s, schema.get("items", {}), name, depth + 1)]
    if kind == "integer":
        return int(schema.get("minimum", 0)) + 1
    if kind == "number":
        return 0.25
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2025-06-01T12:00:00Z"
    if fmt == "date":
        return "2025-06-01"
    if fmt == "uuid":
        return "8b1c4f3e-2d5a-4c6b-9e7f-1a2b3c4d5e6f"
    if fmt == "email":
        return "someone@example.com"
    return f"{name}-value"


def fill(s, value, schema, depth=0):
    schema = s.resolve(schema)
    if isinstance(value, dict):
        for k, p in schema.get("properties", {}).items():
            if k in value:
                value[k] = fill(s, value[k], p, depth + 1)
            else:
                value[k] = synth(s, p, k, depth + 1)
        return value
    if isinstance(value, list):
        items = schema.get("items", {})
        return [fill(s, v, items, depth + 1) for v in value]
    return value


def response_schema(spec, operation_id):
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                for status in ("200", 200, "201", 201):
                    if status in op["responses"]:
                        return op["responses"][status]["content"]["application/json"]["schema"]
    raise SystemExit(f"{operation_id}: no such operation with a 200 response in the spec")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    operation_id, src, dst = sys.argv[1:]
    spec = load_spec()
    with open(src, "rb") as f:
        body = json.loads(f.read())
    filled = fill(Schemas(spec), body, response_schema(spec, operation_id))
    out = json.dumps(filled, separators=(",", ":")).encode()
    with open(dst, "wb") as f:
        f.write(out)
    print(json.dumps({"operation": operation_id, "bytes_in": os.path.getsize(src), "bytes_out": len(out)}))


if __name__ == "__main__":
    main()
