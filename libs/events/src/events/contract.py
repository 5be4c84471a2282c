"""Event contracts: pydantic models with a stable type name and a schema version.

    class RepairOrderSigned(Event, type="reception.RepairOrderSigned", version=1):
        repair_order_id: UUID
        signed_by: str

Defining the class registers it. An old stored version is turned into the current model by
upcasters, one per version step, applied on read:

    @upcaster("reception.RepairOrderSigned", from_version=1)
    def _(data: dict[str, Any]) -> dict[str, Any]: ...

Code lists (pay types, statuses) are plain strings checked by validators, not `Literal`s, so a
new value does not break the published JSON Schema of old readers (docs/contract.md "Versioning").

Writers are strict, readers tolerant (docs/decisions/0005-tolerant-readers.md): constructing
an event with a field its contract does not have fails, while `Registry.decode` ignores fields
it does not know, at every level, because a newer revision of the same version may have added
them (a replica one deploy ahead, another publisher). The published schemas say the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, cast

import pydantic
from pydantic import BaseModel, ConfigDict
from pydantic_core import CoreSchema, SchemaValidator

from events.errors import DuplicateContract, InvalidEventPayload, UnknownEventType

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class Event(BaseModel):
    """Base class of every domain event. Subclasses give `type=` and `version=` in the class line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int]

    def __init_subclass__(cls, *, type: str | None = None, version: int = 1, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if type is None:  # an abstract intermediate base
            return
        cls.event_type = type
        cls.schema_version = version
        REGISTRY.register(cls)

    @property
    def service(self) -> str:
        """The publishing service: the first part of the type name."""
        return self.event_type.split(".", 1)[0]


class Registry:
    """All known contracts, by type name, with the upcasters that bring old versions forward."""

    def __init__(self) -> None:
        self._current: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        # type -> the current model's reader: its validator, tolerant (`tolerant`).
        self._readers: dict[str, SchemaValidator] = {}
        # type -> (current version, the reader's JSON validation): the replay fast path.
        self._validators: dict[str, tuple[int, Callable[[str | bytes], Event]]] = {}

    def register(self, model: type[Event]) -> None:
        known = self._current.get(model.event_type)
        if known is None or model.schema_version > known.schema_version:
            self._current[model.event_type] = model
            self._readers.pop(model.event_type, None)
            self._validators.pop(model.event_type, None)
        elif model.schema_version == known.schema_version and known.__qualname__ != model.__qualname__:
            where = f"{known.__module__}.{known.__qualname__}"
            raise DuplicateContract(f"{model.event_type!r} v{model.schema_version} is already defined by {where}")

    def add_upcaster(self, event_type: str, from_version: int, fn: Upcaster) -> None:
        self._upcasters[(event_type, from_version)] = fn

    def model(self, event_type: str) -> type[Event]:
        try:
            return self._current[event_type]
        except KeyError:
            raise UnknownEventType(event_type, 0) from None

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(sorted(self._current.values(), key=lambda m: m.event_type))

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._current

    def decode(self, event_type: str, version: int, raw: str | bytes | dict[str, Any]) -> Event:
        """Turn a stored or received payload of `event_type` at `version` into the current model,
        ignoring fields the model does not know (at any level).

        The current version is validated straight from JSON text (pydantic-core parses and
        validates in one pass: the replay hot path). Older versions are parsed, upcast step by
        step, then validated.
        """
        current = self._validators.get(event_type)
        if current is not None and current[0] == version and not isinstance(raw, dict):
            try:
                return current[1](raw)
            except pydantic.ValidationError as error:
                raise InvalidEventPayload(event_type, version, summarise(error)) from error
        model = self._current.get(event_type)
        if model is None:
            raise UnknownEventType(event_type, version)
        reader = self._readers.get(event_type)
        if reader is None:
            # The class is complete now (it may not be while registering): build its reader.
            reader = self._readers[event_type] = tolerant(model.__pydantic_core_schema__)
        if version == model.schema_version and not isinstance(raw, dict):
            self._validators[event_type] = (version, reader.validate_json)
            return self.decode(event_type, version, raw)
        try:
            if version == model.schema_version:
                return cast(Event, reader.validate_python(raw))
            if version > model.schema_version:
                raise UnknownEventType(event_type, version)
            data = raw if isinstance(raw, dict) else pydantic.TypeAdapter(dict[str, Any]).validate_json(raw)
            for step in range(version, model.schema_version):
                upcast = self._upcasters.get((event_type, step))
                if upcast is None:
                    raise UnknownEventType(event_type, version)
                data = upcast(data)
            return cast(Event, reader.validate_python(data))
        except pydantic.ValidationError as error:
            raise InvalidEventPayload(event_type, version, summarise(error)) from error

    @property
    def json_validators(self) -> Mapping[str, tuple[int, Callable[[str | bytes], Event]]]:
        """type -> (current version, its JSON validator, tolerant as `decode`), for the types
        `decode` has met: a replay loop calls these directly, and leaves misses, old versions
        and errors to `decode`. Read only; a pydantic `ValidationError` from a validator is
        `decode`'s to report."""
        return self._validators

    def json_schema(self, model: type[Event]) -> dict[str, Any]:
        """The JSON Schema of what our writers produce for one contract, with its type and
        version: closed (`additionalProperties: false`) at every object level."""
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = schema_id(model.event_type, model.schema_version)
        schema["title"] = model.event_type
        schema["x-event-type"] = model.event_type
        schema["x-schema-version"] = model.schema_version
        return schema

    def published_schema(self, model: type[Event]) -> dict[str, Any]:
        """The JSON Schema published to readers (`contract/schemas/`): `json_schema` open at every
        object level, so a reader validating against it accepts fields a later revision of the
        same version adds."""
        return cast(dict[str, Any], _opened(self.json_schema(model)))


def tolerant(schema: CoreSchema) -> SchemaValidator:
    """A validator of `schema` that ignores unknown fields wherever the schema forbids them: a
    reader's (docs/decisions/0005-tolerant-readers.md). It makes the same objects as the
    models' own validators, which stay strict for our writers.

    Built anew, nested models included (`_use_prebuilt=False`): by default pydantic-core reuses
    a model class's own validator for each of its nodes, whatever the schema says. Not the
    per-call `validate_json(..., extra="ignore")`: replay loops call a type's validator with the
    payload alone (`Registry.json_validators`), and a wrapper passing the option cost 0.19 µs an
    event, a third of a small event's decoding; this reader costs what the model's own does."""
    return SchemaValidator(cast(CoreSchema, _ignoring_extra(schema)), None, _use_prebuilt=False)


def _ignoring_extra(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: "ignore" if key in _EXTRA_KEYS and value == "forbid" else _ignoring_extra(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_ignoring_extra(item) for item in schema]
    return schema


# Where a core schema says what to do with unknown fields: a model's or a dataclass's config,
# and the fields of models, typed dicts and dataclasses.
_EXTRA_KEYS = frozenset({"extra_fields_behavior", "extra_behavior"})


def _opened(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: True if key == "additionalProperties" and value is False else _opened(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_opened(item) for item in schema]
    return schema


def summarise(error: pydantic.ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in error.errors())


def schema_id(event_type: str, version: int) -> str:
    """Where a contract's schema is published; also the CloudEvents `dataschema`."""
    service, name = event_type.split(".", 1)
    return f"https://schemas.dealerflow.dev/{service}/{name}/v{version}.json"


REGISTRY = Registry()


def upcaster(event_type: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register `fn` to turn the payload of `event_type` at `from_version` into `from_version + 1`."""

    def register(fn: Upcaster) -> Upcaster:
        REGISTRY.add_upcaster(event_type, from_version, fn)
        return fn

    return register
