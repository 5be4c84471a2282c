"""Views: the fields of a contract that one reader reads (a tolerant reader).

Rebuilding a read model from a year of events spends most of its decoding on fields the read
model never reads. A signed repair order carries its lines, parts and consents (1.4 kB, ~34 µs
to validate whole); the advisor board reads two of its fields (~6 µs). A view names them:

    @view(of=reception.RepairOrderSigned)
    class Signed(View):
        repair_order_id: UUID
        promised_at: datetime

Declaring a view checks that the contract has each of its fields with the same type, so a
view decodes whatever its contract accepts. A reader given views (a projection's `views`)
gets the view for those event types, validated straight from the record's JSON, and the
whole contract for the rest. It leaves the other fields unvalidated: the publisher validated
every field when it recorded the event. Like the contract's own reader, a view ignores fields
it does not know inside the values it reads (docs/decisions/0005-tolerant-readers.md). An old
version is upcast and validated whole, then narrowed.

Views are frozen slotted dataclasses, not pydantic models. They cost less to build and to
free, and a class pattern (`case Signed():`) against one is a plain type check. pydantic's
models are ABCs, whose failing isinstance runs Python code: a fold's `match` of thirty cases
paid it for each case it passed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, ClassVar, TypeVar, dataclass_transform, get_type_hints

import pydantic

from events.contract import REGISTRY, Event, Registry, summarise, tolerant
from events.errors import InvalidEventPayload


class View:
    """Base of every view (see the module's docstring). Declare one with `@view(of=Contract)`."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]  # every view is a dataclass
    event_type: ClassVar[str]
    contract: ClassVar[type[Event]]


V = TypeVar("V", bound=View)


@dataclass_transform(frozen_default=True)
def view(*, of: type[Event] | None = None) -> Callable[[type[V]], type[V]]:
    """Make the class a view of the contract `of`: a frozen slotted dataclass of the contract's
    fields it declares (checked now). Without `of`, a base that views share fields through."""

    def make(cls: type[V]) -> type[V]:
        made = dataclasses.dataclass(frozen=True, slots=True)(cls)
        if of is not None:
            _check(made, of)
            made.event_type = of.event_type
            made.contract = of
        return made

    return make


def view_of(contract: type[Event], *, like: type[V]) -> type[V]:
    """A view of `contract` with the fields of the view `like` and no more (a view whose class
    body would be empty): `JobStarted = view_of(workshop.JobStarted, like=OfRepairOrder)`."""
    made: type[V] = type(contract.__name__, (like,), {"__module__": like.__module__})
    return view(of=contract)(made)


def _check(cls: type[View], contract: type[Event]) -> None:
    hints = get_type_hints(cls)
    declared = contract.model_fields
    for field in dataclasses.fields(cls):
        known = declared.get(field.name)
        if known is None:
            raise TypeError(f"{cls.__qualname__}: {contract.event_type} has no field {field.name!r}")
        if known.annotation != hints[field.name]:
            raise TypeError(
                f"{cls.__qualname__}.{field.name} is {hints[field.name]!r}, "
                f"but {contract.event_type} has {known.annotation!r}"
            )


def views_in(module: ModuleType) -> tuple[type[View], ...]:
    """The views a module declares (not the bases they share fields through)."""
    found = vars(module).values()
    return tuple(c for c in found if isinstance(c, type) and issubclass(c, View) and "contract" in vars(c))


class Views:
    """A reader's views by event type, each with its JSON validator."""

    def __init__(self, views: Iterable[type[View]] = (), registry: Registry = REGISTRY) -> None:
        self.registry = registry
        self._views: dict[str, type[View]] = {}
        # type -> (its current version, the view's JSON validator): one look-up per record
        self._validators: dict[str, tuple[int, Callable[[str | bytes], View]]] = {}
        for made in views:
            if made.event_type in self._views:
                raise ValueError(f"two views of {made.event_type}: {self._views[made.event_type].__qualname__}")
            self._views[made.event_type] = made
            current = registry.model(made.event_type).schema_version
            self._validators[made.event_type] = (
                current,
                tolerant(pydantic.TypeAdapter(made).core_schema).validate_json,
            )

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._views

    def __bool__(self) -> bool:
        return bool(self._views)

    def decode(self, event_type: str, version: int, raw: str | bytes | dict[str, Any]) -> View:
        """The view of a payload of `event_type` at `version` (which `Registry.decode` takes)."""
        current, validate = self._validators[event_type]
        if version == current and not isinstance(raw, dict):
            try:
                return validate(raw)
            except pydantic.ValidationError as error:
                raise InvalidEventPayload(event_type, version, summarise(error)) from error
        return self.narrow(self.registry.decode(event_type, version, raw))

    def narrow(self, event: Event) -> View:
        """The view of an event decoded whole."""
        made = self._views[event.event_type]
        return made(**{f.name: getattr(event, f.name) for f in dataclasses.fields(made)})
