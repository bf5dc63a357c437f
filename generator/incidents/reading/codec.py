"""Records <-> plain data (tuples, dicts, str, int, float, bool, None), for the cache and for worker processes.

Plain data is what `marshal` writes and reads without ever constructing
anything but those built-in values: a cache file, whatever its bytes, can
never make the reader run code (unlike pickle). The record classes are built
back here, from a table made once from their dataclass fields and type
annotations, so a field added to a record is carried without a change here;
a field of a type this module does not know makes `Unsupported` be raised
when encoding (the file is then read without the cache, never wrongly) and
fails tests/test_cache.py.

Encoded forms, per annotation (` | None` allowed on each):
  str, int, float, bool, tuple[str, ...] ...   as is (marshal keeps tuples, lists and dicts apart)
  datetime            its ISO text when its zone is a fixed offset, else (ISO without zone, zone key, fold)
  date                ISO text
  timedelta           (days, seconds, microseconds)
  Mapping[...]        (b"m", dict) for a read-only mapping, else the dict
  a record class      a tuple of its fields, in order
  tuple[record, ...]  a tuple of those
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from incidents.findings import Finding
from incidents.records import model as records_module
from incidents.rules.repository import Declared


class Unsupported(ValueError):
    """A value this codec cannot carry exactly."""


_PLAIN = (str, int, float, bool, type(None))
_PLAIN_NAMES = {"str", "int", "float", "bool", "None", "Any"}


def _plain(value: Any) -> Any:
    """Check that `value` is plain data all the way down (it is then carried as is)."""
    t = type(value)
    if t in _PLAIN:
        return value
    if t is tuple or t is list:
        for item in value:
            _plain(item)
        return value
    if t is dict:
        for k, v in value.items():
            _plain(k)
            _plain(v)
        return value
    raise Unsupported(f"{t.__name__} is not plain data")


def _enc_datetime(value: datetime) -> Any:
    if type(value) is not datetime or value.tzinfo is None:
        raise Unsupported("a timestamp without a zone")
    tz = value.tzinfo
    if type(tz) is timezone:
        if tz is not UTC and tz.tzname(None) != _offset_name(tz.utcoffset(None)):
            raise Unsupported("a named fixed offset")
        return value.isoformat()
    key = getattr(tz, "key", None)
    if isinstance(key, str):  # a zoneinfo.ZoneInfo (policy assume_timezone)
        return (value.replace(tzinfo=None).isoformat(), key, value.fold)
    raise Unsupported(f"a timestamp in a {type(tz).__name__} zone")


def _offset_name(offset: timedelta) -> str:
    return timezone(offset).tzname(None)


_ZONES: dict[str, Any] = {}


def _dec_datetime(value: Any) -> datetime:
    if type(value) is str:
        return datetime.fromisoformat(value)
    text, key, fold = value
    zone = _ZONES.get(key)
    if zone is None:
        import zoneinfo

        zone = _ZONES[key] = zoneinfo.ZoneInfo(key)
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


def _enc_date(value: date) -> str:
    if type(value) is not date:
        raise Unsupported("not a date")
    return value.isoformat()


def _enc_timedelta(value: timedelta) -> tuple:
    if type(value) is not timedelta:
        raise Unsupported("not a duration")
    return (value.days, value.seconds, value.microseconds)


def _dec_timedelta(value: tuple) -> timedelta:
    return timedelta(*value)


def _enc_mapping(value: Any) -> Any:
    if type(value) is MappingProxyType:
        return (b"m", _plain(dict(value)))
    if type(value) is dict:
        return _plain(value)
    raise Unsupported(f"a mapping of type {type(value).__name__}")


def _dec_mapping(value: Any) -> Any:
    if type(value) is tuple:
        return MappingProxyType(value[1])
    return value


def _optional(enc: Callable, dec: Callable) -> tuple[Callable, Callable]:
    return (lambda v: None if v is None else enc(v)), (lambda v: None if v is None else dec(v))


class _ClassCodec:
    """Encode/decode one dataclass as the tuple of its fields."""

    def __init__(self, cls: type):
        self.cls = cls
        self.names = tuple(f.name for f in dataclasses.fields(cls))
        self.encoders: list[Callable | None] = []
        self.decoders: list[Callable | None] = []

    def build(self, codecs: dict[str, _ClassCodec]) -> None:
        for f in dataclasses.fields(self.cls):
            enc, dec = _field_codec(
                f.type if isinstance(f.type, str) else getattr(f.type, "__name__", ""),
                codecs,
                self.cls.__name__,
                f.name,
            )
            self.encoders.append(enc)
            self.decoders.append(dec)
        self.decode = self._fast_decoder() or self._slow_decode

    def _fast_decoder(self) -> Callable | None:
        """A decoder that fills the slots directly (4x faster than the frozen `__init__`), when that is exact:
        a slotted dataclass with no `__post_init__`, every field set from the values."""
        cls = self.cls
        if hasattr(cls, "__post_init__") or set(getattr(cls, "__slots__", ())) != set(self.names):
            return None
        env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
        lines = [
            "def decode(v):",
            f"    if len(v) != {len(self.names)}:",
            "        raise ValueError('fields')",
            "    o = _new(_cls)",
        ]
        for k, (name, dec) in enumerate(zip(self.names, self.decoders)):
            env[f"_s{k}"] = getattr(cls, name).__set__
            if dec is None:
                lines.append(f"    _s{k}(o, v[{k}])")
            else:
                env[f"_d{k}"] = dec
                lines.append(f"    _s{k}(o, _d{k}(v[{k}]))")
        lines.append("    return o")
        exec("\n".join(lines), env)  # noqa: S102 - code built from our own field names only
        return env["decode"]

    def encode(self, obj: Any) -> tuple:
        if type(obj) is not self.cls:
            raise Unsupported(f"expected {self.cls.__name__}, got {type(obj).__name__}")
        out = []
        for name, enc in zip(self.names, self.encoders):
            value = getattr(obj, name)
            out.append(_plain(value) if enc is None else enc(value))
        return tuple(out)

    def _slow_decode(self, values: tuple) -> Any:
        if len(values) != len(self.names):
            raise ValueError("wrong number of fields")
        return self.cls(*[v if d is None else d(v) for d, v in zip(self.decoders, values)])


_OPTIONAL = re.compile(r"^(.*?)\s*\|\s*None$|^None\s*\|\s*(.*)$|^Optional\[(.*)\]$")
_TUPLE_OF = re.compile(r"^(?:tuple|Tuple)\[\s*(\w+)\s*,\s*\.\.\.\s*\]$")
_SCALARS: dict[str, tuple[Callable, Callable]] = {
    "datetime": (_enc_datetime, _dec_datetime),
    "date": (_enc_date, date.fromisoformat),
    "timedelta": (_enc_timedelta, _dec_timedelta),
}


UNSUPPORTED_FIELDS: list[str] = []  # "Class.field: why", filled when the table is built


def _field_codec(annotation: str, codecs: dict, owner: str, name: str) -> tuple[Callable | None, Callable | None]:
    """(encoder, decoder) for a field annotated `annotation`; (None, None) means carried as is."""
    text = annotation.strip()
    m = _OPTIONAL.match(text)
    if m:
        inner = next(g for g in m.groups() if g is not None)
        enc, dec = _field_codec(inner, codecs, owner, name)
        return (None, None) if enc is None or dec is None else _optional(enc, dec)
    base = text.split("[", 1)[0].strip()
    if base in _PLAIN_NAMES:
        return None, None
    m = _TUPLE_OF.match(text)
    if m and m.group(1) in _PLAIN_NAMES:
        return None, None
    if m and m.group(1) in codecs:
        codec = codecs[m.group(1)]
        return (
            lambda v: tuple([codec.encode(x) for x in v]) if type(v) is tuple else _raise(v),
            lambda v: tuple([codec.decode(x) for x in v]),
        )  # codec.decode: looked up when called
    if m and m.group(1) in _SCALARS:
        enc1, dec1 = _SCALARS[m.group(1)]
        return (
            lambda v: tuple([enc1(x) for x in v]) if type(v) is tuple else _raise(v),
            lambda v: tuple([dec1(x) for x in v]),
        )
    if base in ("tuple", "Tuple", "list") and not m:
        return None, None  # tuple[str, int] and the like: plain data, checked when encoding
    if base in ("Mapping", "dict", "MappingProxyType"):
        return _enc_mapping, _dec_mapping
    if base in _SCALARS:
        return _SCALARS[base]
    if base in codecs:
        codec = codecs[base]
        return codec.encode, (lambda v: codec.decode(v))  # late-bound: built after this field
    # Unknown: every value of this field is refused when encoding (so never cached wrongly).
    reason = f"{owner}.{name}: no cache codec for the type `{annotation}`"
    UNSUPPORTED_FIELDS.append(reason)
    return (lambda v: _raise(v, reason)), (lambda v: v)


def _raise(value: Any, reason: str = "") -> Any:
    raise Unsupported(reason or f"unexpected {type(value).__name__}")


def _record_classes() -> dict[str, type]:
    classes = {
        name: obj
        for name, obj in vars(records_module).items()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == records_module.__name__
    }
    classes["Declared"] = Declared
    classes["Finding"] = Finding
    return classes


CODECS: dict[str, _ClassCodec] = {name: _ClassCodec(cls) for name, cls in _record_classes().items()}
for _codec in CODECS.values():
    _codec.build(CODECS)


def encode_record(record: Any) -> tuple:
    """(class name, fields) of a record, or Unsupported."""
    name = type(record).__name__
    codec = CODECS.get(name)
    if codec is None or codec.cls is not type(record):
        raise Unsupported(f"no codec for {name}")
    return (name, codec.encode(record))


def body_index(name: str) -> int:
    """Where the `body` field sits in the encoded fields of record class `name`."""
    return CODECS[name].names.index("body")


def decode_record(value: tuple) -> Any:
    name, fields = value
    return CODECS[name].decode(fields)


def encode_findings(findings: list[Finding], rel: str) -> tuple:
    """Findings of one file; the path is left out where it is the file's own."""
    out = []
    for f in findings:
        if type(f) is not Finding:
            raise Unsupported("not a Finding")
        out.append(
            (
                None if f.path == rel else _plain(f.path),
                _plain(f.line),
                _plain(f.column),
                f.level,
                f.code,
                _plain(f.message),
            )
        )
    return tuple(out)


def decode_findings(values: tuple, rel: str) -> list[Finding]:
    return [Finding(rel if p is None else p, line, col, level, code, msg) for p, line, col, level, code, msg in values]
