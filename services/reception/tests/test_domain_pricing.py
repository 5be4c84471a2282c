"""Lines priced from the catalogue, prices typed by hand and the discount authority (issue 19:
"a manual price, time or discount needs a reason and stays within the role's discount
authority; over the limit needs the service manager's approval, recorded")."""

from __future__ import annotations

from dataclasses import replace

from domain_helpers import (
    ESTIMATE,
    ESTIMATED,
    HANDED_OVER,
    READY_TO_ESTIMATE,
    RO,
    SERVICE,
    SIGN,
    at,
    catalogued,
    given,
    line,
    phone_consent,
    recorded,
    state_after,
)

from events.catalog.reception import DiscountApproved, EstimatePrepared, RepairLineAdded
from events.catalog.reception_values import PriceAdjustment
from reception.domain import errors
from reception.domain.pricing import PricedLine, authority_of
from reception.domain.repair_order_commands import AddRepairLine, ApproveDiscount

# The service at 283 CNY from the catalogue; the advisor gives 8 CNY off the labour (2.8 %).
DISCOUNTED = PricedLine(SERVICE.model_copy(update={"labour_price": 7200}), SERVICE, "regular customer")
SUBLET = line("Windscreen by the glass shop", 60000, pay_type="SUBLET")
ADVISOR_AUTHORITY = 500  # 5 %: 1415 fen of the service's 28300


def estimate(*lines: PricedLine, authority: int = ADVISOR_AUTHORITY) -> EstimatePrepared:
    command = replace(ESTIMATE, lines=lines, discount_authority_bp=authority)
    (*_, prepared) = given(*READY_TO_ESTIMATE).when(command).decided()
    assert isinstance(prepared, EstimatePrepared)
    return prepared


def test_a_line_at_the_catalogues_price_needs_no_reason() -> None:
    prepared = estimate(*catalogued(SERVICE))
    assert (prepared.adjustments, prepared.discount_total, prepared.discount_approval_required) == ((), 0, False)


def test_a_line_typed_by_hand_needs_a_reason() -> None:
    command = replace(ESTIMATE, lines=(PricedLine(SUBLET, None, "  "),))
    given(*READY_TO_ESTIMATE).when(command).then_refused(errors.PriceReasonRequired)


def test_a_line_typed_by_hand_is_recorded_with_its_reason_and_no_catalogue_price() -> None:
    prepared = estimate(PricedLine(SUBLET, None, "sublet to the glass shop"))
    assert prepared.adjustments == (
        PriceAdjustment(
            line_id=SUBLET.line_id,
            catalogue_price=None,
            catalogue_minutes=None,
            price=60000,
            labour_minutes=30,
            discount=0,
            reason="sublet to the glass shop",
        ),
    )
    assert not prepared.discount_approval_required


def test_a_price_other_than_the_catalogues_needs_a_reason() -> None:
    command = replace(ESTIMATE, lines=(replace(DISCOUNTED, reason=None),))
    given(*READY_TO_ESTIMATE).when(command).then_refused(errors.PriceReasonRequired)


def test_a_time_other_than_the_catalogues_needs_a_reason() -> None:
    longer = PricedLine(SERVICE.model_copy(update={"labour_minutes": 60}), SERVICE)
    given(*READY_TO_ESTIMATE).when(replace(ESTIMATE, lines=(longer,))).then_refused(errors.PriceReasonRequired)


def test_a_part_priced_other_than_the_catalogue_needs_a_reason() -> None:
    cheaper_oil = SERVICE.model_copy(update={"parts": (SERVICE.parts[0].model_copy(update={"unit_price": 10800}),)})
    command = replace(ESTIMATE, lines=(PricedLine(cheaper_oil, SERVICE),))
    given(*READY_TO_ESTIMATE).when(command).then_refused(errors.PriceReasonRequired)


def test_a_discount_within_the_advisors_authority_is_signed_without_approval() -> None:
    prepared = estimate(DISCOUNTED)
    assert prepared.adjustments[0].catalogue_price == 28300
    assert (prepared.adjustments[0].discount, prepared.discount_total) == (800, 800)
    assert not prepared.discount_approval_required
    assert prepared.total == 27500
    assert prepared.price_lists == {}


def test_a_discount_beyond_the_authority_is_recorded_but_needs_approval() -> None:
    half_price = PricedLine(SERVICE.model_copy(update={"labour_price": 0}), SERVICE, "complaint last visit")
    prepared = estimate(half_price)
    assert prepared.discount_total == 8000
    assert prepared.discount_approval_required


def test_the_authority_is_measured_against_each_lines_catalogue_price() -> None:
    # 1415 fen is exactly 5 % of 28300: allowed; one fen more is not.
    at_limit = PricedLine(SERVICE.model_copy(update={"labour_price": 8000 - 1415}), SERVICE, "loyalty")
    beyond = PricedLine(SERVICE.model_copy(update={"labour_price": 8000 - 1416}), SERVICE, "loyalty")
    assert not estimate(at_limit).discount_approval_required
    assert estimate(beyond).discount_approval_required


def test_a_surcharge_is_no_discount() -> None:
    dearer = PricedLine(SERVICE.model_copy(update={"labour_price": 12000}), SERVICE, "weekend work")
    prepared = estimate(dearer, authority=0)
    assert (prepared.adjustments[0].discount, prepared.discount_total) == (-4000, 0)
    assert not prepared.discount_approval_required


def test_a_person_holds_the_largest_authority_of_their_roles() -> None:
    limits = {"advisor": 500, "service_manager": 2000}
    assert authority_of({"advisor", "service_manager"}, limits) == 2000
    assert authority_of({"advisor"}, limits) == 500
    assert authority_of({"cashier"}, limits) == 0


# --- the service manager's approval -------------------------------------------------------

OVER = replace(
    ESTIMATE,
    lines=(PricedLine(SERVICE.model_copy(update={"labour_price": 0}), SERVICE, "complaint last visit"),),
    discount_authority_bp=ADVISOR_AUTHORITY,
)
OVER_ESTIMATED = recorded(OVER, after=READY_TO_ESTIMATE)
APPROVE = ApproveDiscount(approved_by="manager-1", approved_at=at(17))


def test_an_order_with_a_discount_beyond_authority_is_not_signed_without_approval() -> None:
    given(*OVER_ESTIMATED).when(SIGN).then_refused(errors.DiscountApprovalRequired)


def test_the_service_managers_approval_is_recorded_with_who_and_when() -> None:
    state = (
        given(*OVER_ESTIMATED)
        .when(APPROVE)
        .then(DiscountApproved(repair_order_id=RO, approved_by="manager-1", discount_total=8000, approved_at=at(17)))
    )
    assert state.discount_approved is not None


def test_an_approved_discount_is_signed() -> None:
    assert state_after(recorded(APPROVE, SIGN, after=OVER_ESTIMATED)).signed_at == SIGN.signed_at


def test_approving_again_changes_nothing() -> None:
    given(*recorded(APPROVE, after=OVER_ESTIMATED)).when(APPROVE).then()


def test_a_discount_within_authority_needs_no_approval() -> None:
    given(*ESTIMATED).when(APPROVE).then_refused(errors.DiscountApprovalNotNeeded)


def test_there_is_nothing_to_approve_before_an_estimate() -> None:
    given(*READY_TO_ESTIMATE).when(APPROVE).then_refused(errors.EstimateRequired)


def test_a_new_estimate_needs_its_own_approval() -> None:
    again = replace(OVER, prepared_at=at(18))
    history = recorded(APPROVE, again, after=OVER_ESTIMATED)
    given(*history).when(SIGN).then_refused(errors.DiscountApprovalRequired)


# --- lines added after signing ------------------------------------------------------------

WIPERS = line("Replace wiper blades", 2000, minutes=10)


def add(priced: PricedLine, authority: int = ADVISOR_AUTHORITY) -> AddRepairLine:
    return AddRepairLine(priced, phone_consent(40), at(41), authority, (("labour_rates", "2024-01-01"),))


def test_an_added_line_is_priced_like_the_estimates() -> None:
    given(*HANDED_OVER).when(add(PricedLine(WIPERS, WIPERS))).then(
        RepairLineAdded(
            repair_order_id=RO,
            line=WIPERS.model_copy(update={"origin": "additional_work"}),
            consent=phone_consent(40),
            added_at=at(41),
            price_lists={"labour_rates": "2024-01-01"},
        )
    )


def test_an_added_line_typed_by_hand_needs_a_reason() -> None:
    given(*HANDED_OVER).when(add(PricedLine(SUBLET, None))).then_refused(errors.PriceReasonRequired)


def test_an_added_line_with_a_discount_beyond_authority_is_refused() -> None:
    free = PricedLine(WIPERS.model_copy(update={"labour_price": 0}), WIPERS, "goodwill")
    given(*HANDED_OVER).when(add(free)).then_refused(errors.DiscountBeyondAuthority)


def test_a_service_manager_adds_the_line_a_larger_authority_covers() -> None:
    free = PricedLine(WIPERS.model_copy(update={"labour_price": 0}), WIPERS, "goodwill")
    (added,) = given(*HANDED_OVER).when(add(free, authority=10_000)).decided()
    assert isinstance(added, RepairLineAdded)
    assert added.adjustment is not None
    assert (added.adjustment.discount, added.adjustment.reason) == (2000, "goodwill")
