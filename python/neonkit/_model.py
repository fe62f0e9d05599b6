"""Base classes of the generated models: lazy, dict-backed objects.

A model wraps the decoded JSON object. Attributes are read on demand (nested
objects become model instances, enum values members of the open enum or plain
strings when the server sends a value the spec does not list), so decoding a
response costs one parse (done in Rust, straight to dicts and lists) and one
small object.
"""

from __future__ import annotations

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


def _convert(spec: Any, value: Any) -> Any:
    """Turns decoded JSON into models following a generated decode spec."""
    if spec is None or value is None:
        return value
    if type(spec) is str:
        cls = _MODELS.get(spec)
        if cls is not None:
            return _model(cls, value) if type(value) is dict else value
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
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Field:
    """One field of a model class: reads the JSON value, converted (and cached)
    when it is a model, a list or map of them, or an enum. A descriptor, so
    reading a field is one call, not a failed lookup and `__getattr__`."""

    __slots__ = ("key", "spec")

    def __init__(self, key: str, spec: Any) -> None:
        self.key = key
        self.spec = spec

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        key = self.key
        value = obj._data.get(key)
        spec = self.spec
        if spec is None or value is None:
            return value
        cache = obj._cache
        if cache is None:
            cache = {}
            object.__setattr__(obj, "_cache", cache)
        else:
            hit = cache.get(key, _MISSING)
            if hit is not _MISSING:
                return hit
        result = cache[key] = _convert(spec, value)
        return result


class Model:
    """A Neon API object: attribute access, `to_dict()`, equality, a repr without secrets."""

    # `_response`: the ResponseInfo of the call that returned this model (`neonkit.response_of`).
    __slots__ = ("_data", "_cache", "_response")
    _fields: ClassVar[Dict[str, Any]] = {}
    _attrs: ClassVar[Dict[str, str]] = {}
    _sensitive: ClassVar[FrozenSet[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = {key: name for name, key in cls._attrs.items()}
        for key, spec in cls._fields.items():
            name = names.get(key, key)
            # A field named like a method keeps the method; `__getattr__` cannot reach it either.
            if getattr(cls, name, _MISSING) is _MISSING:
                setattr(cls, name, _Field(key, spec))

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

    def __getattr__(self, name: str) -> Any:
        # Fields are descriptors (`_Field`); this serves what they do not cover.
        if name.startswith("__") or name in ("_data", "_cache", "_response"):
            raise AttributeError(name)
        cls = type(self)
        key = cls._attrs.get(name, name)
        try:
            spec = cls._fields[key]
        except KeyError:
            raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}") from None
        return _Field(key, spec).__get__(self)

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
            if key in cls._sensitive and self._data[key] is not None:
                parts.append(f"{name}=<redacted>")
            else:
                parts.append(f"{name}={getattr(self, name)!r}")
        return f"{cls.__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self).__name__, self.to_dict()))

    def __copy__(self) -> Any:
        return _rebuild(type(self).__name__, dict(self._data))

    def __deepcopy__(self, memo: Any) -> Any:
        return _rebuild(type(self).__name__, self.to_dict())


# The slots' own setters: assigning through them skips Model.__setattr__.
_set_data = Model.__dict__["_data"].__set__
_set_cache = Model.__dict__["_cache"].__set__


def _rebuild(name: str, data: Dict[str, Any]) -> Any:
    import neonkit.generated.models  # noqa: F401  (registers the classes)

    return _convert(name, data)
