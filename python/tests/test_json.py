"""Response bodies are parsed in Rust straight to Python objects: the result must equal `json.loads`."""

import json

import pytest

import neonkit
from neonkit import _native

DOCUMENTS = [
    b"{}",
    b"[]",
    b"null",
    b'{"a": null, "b": true, "c": false, "d": 0, "e": -1, "f": 1.5, "g": -0.0, "h": 1e300}',
    b'{"big": 9223372036854775807, "neg": -9223372036854775808, "u": 18446744073709551615}',
    b'{"s": "plain", "esc": "quote \\" backslash \\\\ slash \\/ tab \\t nl \\n", "u": "\\u00fc\\ud83d\\ude00 \xc3\xa9 \xe2\x82\xac"}',
    b'{"\\u006bey": 1, "k\\"q": 2, "": 3}',
    b'{"dup": 1, "dup": 2}',
    b'{"nested": {"list": [1, [2, [3, {"x": []}]], {}], "empty": ""}}',
    b'  [1, "two", 3.25, null, {"a": [true]}]  ',
]


@pytest.mark.parametrize("doc", DOCUMENTS + [b"[1e400, -1e400]", b'["\\ud800"]', b"[NaN]"])
def test_parsing_matches_json_loads(doc):
    # repr, not ==: it tells -0.0 from 0.0, and NaN is not equal to itself.
    assert repr(_native._parse_json(doc)) == repr(json.loads(doc))


def test_floats_round_trip_exactly():
    import random

    rng = random.Random(7)
    values = [rng.random() * 10 ** rng.randint(-30, 30) for _ in range(20_000)] + [
        5e-324,
        1.7976931348623157e308,
        0.1,
        2 / 3,
    ]
    doc = json.dumps(values).encode()
    assert _native._parse_json(doc) == json.loads(doc) == values


def test_repeated_keys_and_short_values_are_one_object_and_containers_are_not_shared():
    doc = json.dumps({"items": [{"id": str(i), "name": "p", "region_id": "aws"} for i in range(500)]}).encode()
    items = _native._parse_json(doc)["items"]
    assert [i["id"] for i in items] == [str(i) for i in range(500)]
    keys = [next(iter(i)) for i in items]
    assert all(k is keys[0] for k in keys)
    assert all(i["region_id"] is items[0]["region_id"] for i in items)
    items[0]["name"] = "changed"
    assert items[1]["name"] == "p"


def test_many_distinct_keys_all_come_through():
    doc = json.dumps({f"key-{i}": i for i in range(5000)}).encode()
    assert _native._parse_json(doc) == {f"key-{i}": i for i in range(5000)}


@pytest.mark.parametrize("doc", [b'{"password": "npg_secret"', b'{"a": 1} trailing', b'{"a": tru}', b"", b"\xff"])
def test_invalid_json_is_a_decode_error_that_quotes_no_value(doc):
    with pytest.raises(neonkit.DecodeError) as info:
        _native._parse_json(doc)
    assert "npg_secret" not in str(info.value)
    assert info.value.operation == "_parse_json"


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(neonkit.DecodeError):
        _native._parse_json(b"[" * 100_000 + b"]" * 100_000)


def test_invalid_utf8_inside_a_string_is_a_decode_error():
    with pytest.raises(neonkit.DecodeError, match="not UTF-8"):
        _native._parse_json(b'{"a": "\xff"}')


def test_keys_are_kept_across_responses():
    first = _native._parse_json(b'{"region_id": "a", "k\\"q": 1}')
    second = _native._parse_json(b'{"region_id": "b", "k\\"q": 2}')
    assert [k for k in first] == [k for k in second] == ["region_id", 'k"q']
    assert all(a is b for a, b in zip(first, second))
