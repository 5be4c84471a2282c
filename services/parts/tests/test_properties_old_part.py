"""Properties of the OldPart (issue 6): whatever the advisor records and the parts clerk does with
a part taken off a car, in any order, after every step (seed 003: "旧件处理方式要征求客户意见,
索赔件应向客户说明需返厂"; seed 000: old parts shown at delivery)

- an old part is recorded once, before anything else, with the customer's choice and at least
  one part; it leaves the site at most once, and only once recorded, for the RO it came off;
- a warranty part is never the customer's to keep and leaves the site only back to the
  manufacturer (the evidence for the claim);
- a part the customer keeps goes back to the customer, never scrapped or sent away.

The expectations are kept from the events alone, not read from the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

from domain_helpers import LINE, RO, T0
from hypothesis import event as label
from hypothesis import given
from hypothesis import strategies as st

from events.catalog import parts as ev
from events.contract import Event
from events.testing.properties import PROPERTY, run_commands
from parts.domain.old_part import DisposeOldPart, OldPart, OldPartCommand, RecordOldPart, old_part

PART = uuid4()
LATER = T0 + timedelta(hours=3)
DISPOSITIONS = ("returned_to_customer", "returned_to_manufacturer", "scrapped")

records = st.builds(
    lambda part_number, quantity, warranty, choice: RecordOldPart(
        PART, RO, LINE, part_number, quantity, warranty, choice, T0
    ),
    st.sampled_from(["04465-33471", "04465-33471", " "]),
    st.integers(-1, 3),
    st.booleans(),
    st.sampled_from(["keep", "discard", "sell"]),
)
disposals = st.builds(
    DisposeOldPart,
    st.sampled_from([*DISPOSITIONS, "sold"]),
    st.just(LATER),
    st.sampled_from([None, "claim W-2024-0183"]),
)
commands: st.SearchStrategy[OldPartCommand] = st.one_of(records, disposals, disposals)
# When the first record asked for is refused, a proper one comes next: a warranty part, or a
# part the customer keeps or leaves to us.
PROPER = [
    RecordOldPart(PART, RO, LINE, "04465-33471", 1, warranty, choice, T0)
    for warranty, choice in [(True, "discard"), (False, "keep"), (False, "discard")]
]


@dataclass
class Books:
    recorded: ev.OldPartRecorded | None = None
    disposed: ev.OldPartDisposed | None = None

    def check(self, history: Sequence[Event], decided: Sequence[Event], state: OldPart) -> None:
        for event in decided:
            match event:
                case ev.OldPartRecorded():
                    assert self.recorded is None, "an old part recorded twice"
                    assert event.quantity > 0
                    assert event.customer_choice in ("keep", "discard"), "the customer was not asked"
                    assert not (event.warranty and event.customer_choice == "keep"), "a warranty part kept"
                    self.recorded = event
                case ev.OldPartDisposed():
                    self._disposed(event)
        assert state.disposition == (self.disposed.disposition if self.disposed else None)

    def _disposed(self, event: ev.OldPartDisposed) -> None:
        assert self.recorded is not None, "an old part disposed of before it was recorded"
        assert self.disposed is None, "an old part left the site twice"
        assert (event.old_part_id, event.repair_order_id) == (self.recorded.old_part_id, self.recorded.repair_order_id)
        assert event.disposition in DISPOSITIONS
        if self.recorded.warranty:
            assert event.disposition == "returned_to_manufacturer", f"a warranty part {event.disposition}"
        if self.recorded.customer_choice == "keep":
            assert event.disposition == "returned_to_customer", f"the customer's part {event.disposition}"
        self.disposed = event


@PROPERTY
@given(records, st.sampled_from(PROPER), st.lists(commands, min_size=2, max_size=10))
def test_an_old_part_leaves_once_and_warranty_parts_go_back_to_the_manufacturer(
    first: RecordOldPart, proper: RecordOldPart, plan: list[OldPartCommand]
) -> None:
    books = Books()
    run_commands(old_part, [first, proper, *plan], books.check)
    assert books.recorded is not None
    label(f"warranty: {books.recorded.warranty}, choice: {books.recorded.customer_choice}")
    label(f"disposed: {books.disposed.disposition if books.disposed else None}")
