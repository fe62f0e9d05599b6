"""Base classes of the generated models: lazy, dict-backed objects.

A model wraps the decoded JSON object. Attributes are read on demand (nested
objects become model instances, enum values members of the open enum or plain
strings when the server sends a value the spec does not list, `format:
date-time` strings timezone-aware `datetime`s), so decoding a response costs one
parse (done in Rust, straight to dicts and lists) and one small object.

Only the spec's fields are attributes (a typo is an AttributeError, and an error
to mypy and pyright); what the server sends beyond them is `model.extra`, and any
member, known or not, is `model["name"]` as the JSON has it.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timedelta, timezone
from enum import Enum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Dict, FrozenSet, List, Optional, Type, TypeVar

    M = TypeVar("M", bound="Model")

_REGISTRY: Dict[str, type] = {}
_MODELS: Dict[str, type] = {}
_MISSING = object()
_new = object.__new__


def _register(namespace: Dict[str, Any]) -> None:
    for name, value in namespace.items():
        if isinstance(value, type) and issubclass(value, (Model, OpenEnum)):
            _REGISTRY[name] = value
            if issubclass(value, Model):
                _MODELS[name] = value


class OpenEnum(str, Enum):
    """A string enum of the spec; values it does not list come through as plain `str`."""

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


# RFC 3339 (and what Python's isoformat writes): `T`, `t` or a space; any number of fraction
# digits; `Z`, `z`, ±hh:mm or ±hhmm (none: UTC). `datetime.fromisoformat` takes none of `Z`
# or a 9-digit fraction before Python 3.11.
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?" r"\s*(?:([Zz])|([+-])(\d\d):?(\d\d))?"
)
DATETIME = "#datetime"


def parse_datetime(text: str) -> datetime:
    """An RFC 3339 timestamp as a timezone-aware `datetime` (UTC when it names no offset).

    Raises ValueError for text that is not one."""
    m = _RFC3339.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    year, month, day, hour, minute, second, frac, _z, sign, oh, om = m.groups()
    tz = timezone.utc
    if sign:
        offset = timedelta(hours=int(oh), minutes=int(om))
        tz = timezone(-offset if sign == "-" else offset)
    micro = int((frac or "0")[:6].ljust(6, "0"))
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tz)


def format_datetime(value: datetime) -> str:
    """A timezone-aware `datetime` as the API writes timestamps (`2024-05-01T12:00:00Z`).

    Raises ValueError for a naive one: it names no instant."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"a naive datetime names no instant ({value.isoformat()}): give it a tzinfo (e.g. timezone.utc)"
        )
    text = value.astimezone(timezone.utc).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _convert(spec: Any, value: Any) -> Any:
    """Turns decoded JSON into models following a generated decode spec."""
    if spec is None or value is None:
        return value
    if type(spec) is str:
        cls = _MODELS.get(spec)
        if cls is not None:
            return _model(cls, value) if type(value) is dict else value
        if spec == DATETIME:
            return value if isinstance(value, datetime) else parse_datetime(value)
        try:
            return _REGISTRY[spec](value)  # an OpenEnum
        except ValueError:
            return value
    kind, inner = spec
    if kind == "list":
        if type(value) is not list:
            return value
        cls = _MODELS.get(inner) if type(inner) is str else None
        if cls is not None:
            # The common case (a page of models) without a call per item.
            out: List[Any] = []
            for v in value:
                if type(v) is dict:
                    obj: Any = _new(cls)
                    _set_data(obj, v)
                    _set_cache(obj, None)
                    out.append(obj)
                else:
                    out.append(v)
            return out
        return [_convert(inner, v) for v in value]
    if type(value) is dict:
        return {k: _convert(inner, v) for k, v in value.items()}
    return value


def _model(cls: Any, data: Dict[str, Any]) -> Any:
    """A model around a decoded JSON object, without copying it."""
    obj: Any = _new(cls)
    _set_data(obj, data)
    _set_cache(obj, None)
    return obj


def _plain(value: Any) -> Any:
    """The JSON form of a value that may hold models and enums."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Field:
    """One field of a model class: reads the JSON value, converted (and cached)
    when it is a model, a list or map of them, an enum or a timestamp. A
    descriptor, so reading a field is one call. A field the spec calls required
    (and not nullable) that the JSON lacks, or holds null for, is a DecodeError
    when read: its annotation never says `str` for a None."""

    __slots__ = ("key", "spec", "required")

    def __init__(self, key: str, spec: Any, required: bool = False) -> None:
        self.key = key
        self.spec = spec
        self.required = required

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        key = self.key
        value = obj._data.get(key)
        if value is None:
            if self.required:
                _lacks(obj, key)
            return None
        spec = self.spec
        if spec is None:
            return value
        cache = obj._cache
        if cache is None:
            cache = {}
            object.__setattr__(obj, "_cache", cache)
        else:
            hit = cache.get(key, _MISSING)
            if hit is not _MISSING:
                return hit
        try:
            result = cache[key] = _convert(spec, value)
        except ValueError as e:
            _undecodable(obj, key, e)
        return result


def _lacks(obj: Any, key: str) -> None:
    from neonkit.generated.errors import DecodeError

    cls = type(obj).__name__
    what = "null" if key in obj._data else "absent"
    raise DecodeError(
        f"{cls}.{key} is {what}, though the spec calls it required "
        f"(`{key!r} in model` tells; `model.get({key!r})` reads it without raising)"
    )


def _undecodable(obj: Any, key: str, e: ValueError) -> None:
    from neonkit.generated.errors import DecodeError

    raise DecodeError(f"{type(obj).__name__}.{key}: {e} (model[{key!r}] is the raw value)") from None


class Model:
    """A Neon API object: attribute access, `to_dict()`, equality, a repr without secrets."""

    # `_response`: the ResponseInfo of the call that returned this model (`neonkit.response_of`).
    __slots__ = ("_data", "_cache", "_response")
    _data: Dict[str, Any]
    _cache: Optional[Dict[str, Any]]
    _response: Any
    _fields: ClassVar[Dict[str, Any]] = {}
    _attrs: ClassVar[Dict[str, str]] = {}
    _sensitive: ClassVar[FrozenSet[str]] = frozenset()
    # The fields the spec calls required and not nullable (read as DecodeError when absent).
    _required: ClassVar[FrozenSet[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = {key: name for name, key in cls._attrs.items()}
        for key, spec in cls._fields.items():
            name = names.get(key, key)
            # A field named like a method keeps the method (`model[key]` reads the field).
            if getattr(cls, name, _MISSING) is _MISSING:
                setattr(cls, name, _Field(key, spec, key in cls._required))

    def __init__(self, _data: Optional[Dict[str, Any]] = None, /, **fields: Any) -> None:
        if _data is None:
            data: Dict[str, Any] = {}
        elif isinstance(_data, dict):
            data = dict(_data)
        else:
            raise TypeError(f"{type(self).__name__}() takes a dict or keyword arguments, not {type(_data).__name__}")
        cls = type(self)
        for name, value in fields.items():
            key = cls._attrs.get(name, name)
            if key not in cls._fields:
                raise TypeError(f"{cls.__name__} has no field {name!r}")
            data[key] = value
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_cache", None)

    @classmethod
    def from_dict(cls: Type[M], data: Dict[str, Any]) -> M:
        """A model from its JSON object (as the API sends it)."""
        if not isinstance(data, dict):
            raise TypeError(f"{cls.__name__}.from_dict() takes a dict, not {type(data).__name__}")
        obj = object.__new__(cls)
        object.__setattr__(obj, "_data", dict(data))
        object.__setattr__(obj, "_cache", None)
        return obj

    @property
    def extra(self) -> Dict[str, Any]:
        """The members of the JSON object that the spec does not list (what a newer server
        sends), as JSON values: a new dict, empty when there are none."""
        fields = type(self)._fields
        return {k: v for k, v in self._data.items() if k not in fields}

    def __getitem__(self, key: str) -> Any:
        """A member of the JSON object by its JSON name, known to the spec or not, as the
        JSON has it (no model, enum or datetime conversion). KeyError when absent."""
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        """Whether the JSON object has this member (even null)."""
        return key in self._data

    if not TYPE_CHECKING:
        # Not a sequence: without this, iter() would walk `__getitem__` with 0, 1, … (a KeyError).
        __iter__ = None

    def get(self, key: str, default: Any = None) -> Any:
        """`model[key]`, or `default` when the JSON object lacks that member."""
        return self._data.get(key, default)

    def to_json(self, *, indent: Optional[int] = None) -> str:
        """The JSON text of this object (secrets included, as `to_dict()`)."""
        return json.dumps(self._data, ensure_ascii=False, indent=indent, default=_plain)

    if not TYPE_CHECKING:

        @property
        def __class__(self) -> Any:
            # `json.dumps(model)` fails in JSONEncoder.default, whose message reads
            # `o.__class__`: there, and only there, say what to call instead.
            f = sys._getframe(1)
            if f.f_code is _JSON_DEFAULT:
                raise TypeError(
                    f"Object of type {type(self).__name__} is not JSON serializable: "
                    "call .to_json() for its JSON text, or .to_dict() for json.dumps"
                )
            return type(self)

    if not TYPE_CHECKING:  # hidden from type checkers: assigning a name no field has is an error to them

        def __setattr__(self, name: str, value: Any) -> None:
            cls = type(self)
            key = cls._attrs.get(name, name)
            if key not in cls._fields:
                raise AttributeError(f"{cls.__name__!r} object has no field {name!r}")
            self._data[key] = value
            if self._cache is not None:
                self._cache.pop(key, None)

    def __dir__(self) -> Any:
        inv = {v: k for k, v in type(self)._attrs.items()}
        return sorted(set(object.__dir__(self)) | {inv.get(k, k) for k in type(self)._fields})

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object (secrets included: this is the data, not a display form)."""
        return _plain(self._data)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()  # type: ignore[attr-defined,no-any-return]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        cls = type(self)
        inv = {v: k for k, v in cls._attrs.items()}
        parts = []
        for key in cls._fields:
            if key not in self._data:
                continue
            name = inv.get(key, key)
            raw = self._data[key]
            if key in cls._sensitive and raw is not None:
                parts.append(f"{name}=<redacted>")
            elif raw is None:
                parts.append(f"{name}=None")
            else:
                try:
                    shown = getattr(self, name) if getattr(cls, name, None).__class__ is _Field else raw
                except Exception:  # a DecodeError (an undecodable timestamp): the raw value
                    shown = raw
                parts.append(f"{name}={shown!r}")
        return f"{cls.__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self).__name__, self.to_dict()))

    def __copy__(self) -> Any:
        return _rebuild(type(self).__name__, dict(self._data))

    def __deepcopy__(self, memo: Any) -> Any:
        return _rebuild(type(self).__name__, self.to_dict())


_JSON_DEFAULT = json.JSONEncoder.default.__code__

# The slots' own setters: assigning through them skips Model.__setattr__.
_set_data = Model.__dict__["_data"].__set__
_set_cache = Model.__dict__["_cache"].__set__


def _rebuild(name: str, data: Dict[str, Any]) -> Any:
    import neonkit.generated.models  # noqa: F401  (registers the classes)

    return _convert(name, data)
