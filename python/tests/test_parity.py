"""The vocabulary (spec/vocabulary.yaml, via tests/parity/vocabulary.json): every error kind and option
under its Python name, and the same message for the same bad value as in every other language."""

import json
import pathlib
from typing import Any, Dict

import pytest

import neonkit
from neonkit.testing import Emulator

PARITY = json.loads((pathlib.Path(__file__).parents[2] / "tests" / "parity" / "vocabulary.json").read_text())
VALID = {"duration": 1, "count": 1, "bytes": 4096, "bool": True, "string": "x", "secret": "k"}


@pytest.mark.parametrize("error", PARITY["errors"], ids=lambda e: e["kind"])
def test_every_error_kind_has_its_class(error: Dict[str, Any]) -> None:
    cls = getattr(neonkit, error["python"])
    assert issubclass(cls, neonkit.NeonError)
    assert cls.kind == error["kind"]
    assert neonkit.ERROR_CLASSES[error["kind"]] is cls
    assert error["python"] in neonkit.__all__


def _bad_cases(section: str, scope: str) -> Any:
    for option in PARITY[section]:
        if scope in ("client", "call") and not option[scope]:
            continue
        for bad in option["python"]["bad"]:
            yield pytest.param(
                option["python"]["name"], bad["value"], bad["message"], id=f"{option['name']}={bad['value']!r}"
            )


@pytest.mark.parametrize("name,value,message", list(_bad_cases("options", "client")))
def test_a_bad_client_option_gives_the_shared_message(name: str, value: Any, message: str) -> None:
    with pytest.raises(neonkit.ConfigError) as e:
        neonkit.NeonClient("key", **{name: value})
    assert e.value.message == message


@pytest.mark.parametrize("name,value,message", list(_bad_cases("options", "call")))
def test_a_bad_call_option_gives_the_shared_message(emu: Emulator, name: str, value: Any, message: str) -> None:
    with emu.client() as neon, pytest.raises(neonkit.ConfigError) as e:
        neon.with_options(**{name: value})
    assert e.value.message == message


@pytest.mark.parametrize("name,value,message", list(_bad_cases("emulator_options", "emulator")))
def test_a_bad_emulator_option_gives_the_shared_message(name: str, value: Any, message: str) -> None:
    with pytest.raises(neonkit.ConfigError) as e:
        Emulator(**{name: value})
    assert e.value.message == message


def test_every_option_is_accepted_under_its_python_name(emu: Emulator) -> None:
    import inspect

    client_params = inspect.signature(neonkit.NeonClient.__init__).parameters
    call_params = inspect.signature(neonkit.NeonClient.with_options).parameters
    for option in PARITY["options"]:
        name = option["python"]["name"]
        assert (name in client_params) == option["client"], name
        assert (name in call_params) == option["call"], name
    emulator_params = inspect.signature(Emulator.__init__).parameters
    assert {o["python"]["name"] for o in PARITY["emulator_options"]} <= set(emulator_params)
    with emu.client() as neon:
        for option in PARITY["options"]:
            if option["call"] and option["type"] in VALID:
                neon.with_options(**{option["python"]["name"]: VALID[option["type"]]})
