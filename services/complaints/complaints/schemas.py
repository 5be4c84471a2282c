"""What the complaints API accepts (request bodies, validated: 422 with field errors) and answers.

Code lists are checked here too (a typo is a field error, not a refusal); the domain checks them
again for the policy's commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from complaints.domain.settings import SiteSettings
from complaints.domain.state import Complaint
from events.catalog import complaints_values as codes
from events.catalog.complaints_values import CustomerAccount
from events.rules import check_code


def _code(allowed: tuple[str, ...], what: str) -> AfterValidator:
    return AfterValidator(lambda value: check_code(value, allowed, what))


Kind = Annotated[str, _code(codes.KINDS, "complaint kind")]
Category = Annotated[str, _code(codes.CATEGORIES, "category")]
Channel = Annotated[str, _code(codes.CHANNELS, "channel")]
SeriousReason = Annotated[str, _code(codes.SERIOUS_REASONS, "serious reason")]
Responsibility = Annotated[str, _code(codes.RESPONSIBILITIES, "responsibility")]
Remedy = Annotated[str, _code(codes.REMEDIES, "remedy")]
FollowUpChannel = Annotated[str, _code(codes.FOLLOW_UP_CHANNELS, "follow-up channel")]
RedoStep = Annotated[str, _code(codes.REDO_STEPS, "step to go back to")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Money = Annotated[int, Field(ge=0, le=1_000_000_000, description="minor units (fen)")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReceiveBody(Body):
    """Step 1. `complaint_id`: send your own to make a retried request safe (a second receipt of
    the same id is refused with 409). A callback's complaint names the callback."""

    complaint_id: UUID = Field(default_factory=uuid4)
    channel: Channel
    kind: Kind
    category: Category
    customer_words: Text
    customer_id: UUID
    vin: str | None = Field(default=None, min_length=1, max_length=17)
    repair_order_id: UUID | None = None
    callback_id: UUID | None = None
    serious_reasons: tuple[SeriousReason, ...] = Field(default=(), max_length=3)

    @model_validator(mode="after")
    def callback_named(self) -> ReceiveBody:
        if self.channel == "callback" and self.callback_id is None:
            raise ValueError("a complaint raised in a callback names that callback (callback_id)")
        return self


class ReclassifyBody(Body):
    kind: Kind
    reason: Text


class ListenBody(Body):
    """Step 2: the 5W2H account and the complaint restated in the customer's words."""

    account: CustomerAccount
    restated_words: Text


class FactsBody(Body):
    """Step 3: the cause and who is responsible (manufacturer, dealer or customer)."""

    responsibility: Responsibility
    cause: Category
    findings: Text
    reproduced: bool
    reproduced_by: str | None = Field(default=None, min_length=1, max_length=100)
    vip: bool = False
    repeat_visitor: bool = False


class ManufacturerAuthorisation(Body):
    """Beyond the dealer's limit: who at the manufacturer's customer service authorised it."""

    person: Annotated[str, Field(min_length=1, max_length=200)]
    reference: Annotated[str, Field(min_length=1, max_length=200)]


class DecisionBody(Body):
    """Step 4. Beyond the deciding person's authority limit only a service manager (or group
    admin) decides — their decision records them as the approver; beyond the dealer's limit the
    manufacturer's authorisation is required."""

    remedy: Remedy
    description: Text
    cost: Money
    remedy_due: AwareDatetime
    spokesperson: Annotated[str, Field(min_length=1, max_length=200)]
    compromise: str = Field(default="", max_length=4000)
    manufacturer_authorisation: ManufacturerAuthorisation | None = None


class ExplanationBody(Body):
    """Step 5: not agreed sends the complaint back to the facts (step 3)."""

    agreed: bool
    customer_response: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def disagreement_in_words(self) -> ExplanationBody:
        if not self.agreed and not self.customer_response.strip():
            raise ValueError("write down what the customer does not agree with (customer_response)")
        return self


class ActionBody(Body):
    description: Text
    cost: Money
    in_customer_presence: bool
    customer_satisfied: bool


class FollowUpBody(Body):
    """Step 7: satisfied closes with `report_summary`; not satisfied names `back_to`."""

    satisfied: bool
    channel: FollowUpChannel
    back_to: RedoStep | None = None
    customer_words: str = Field(default="", max_length=4000)
    report_summary: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def closes_or_goes_back(self) -> FollowUpBody:
        if self.satisfied and not self.report_summary.strip():
            raise ValueError("a satisfied follow-up writes the complaint report's summary (report_summary)")
        if not self.satisfied and (self.back_to is None or not self.customer_words.strip()):
            raise ValueError("an unsatisfied follow-up names the step to go back to and the customer's words")
        if self.satisfied and self.back_to is not None:
            raise ValueError("a satisfied customer's complaint closes; it goes back to no step")
        return self


class SettingsBody(Body):
    """A site's working calendar and authority limits (minor units), replacing the previous ones."""

    working_weekdays: frozenset[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1)
    holidays: frozenset[date] = Field(default=frozenset(), max_length=400)
    extra_working_days: frozenset[date] = Field(default=frozenset(), max_length=400)
    timezone: str = Field(default="Asia/Shanghai", min_length=1, max_length=64)
    authority_limits: dict[Annotated[str, _code(codes.HANDLING_ROLES, "handling role")], Money]
    dealer_limit: Money | None = None

    @model_validator(mode="after")
    def every_role_has_a_limit(self) -> SettingsBody:
        missing = set(codes.HANDLING_ROLES) - set(self.authority_limits)
        if missing:
            raise ValueError(f"give an authority limit for every handling role; missing: {', '.join(sorted(missing))}")
        return self


def settings_view(settings: SiteSettings) -> dict[str, Any]:
    calendar = settings.calendar
    return {
        "working_weekdays": sorted(calendar.working_weekdays),
        "holidays": sorted(calendar.holidays),
        "extra_working_days": sorted(calendar.extra_working_days),
        "timezone": calendar.timezone,
        "authority_limits": dict(settings.authority_limits),
        "dealer_limit": settings.dealer_limit,
        "set_by": settings.set_by,
        "set_at": settings.set_at,
        "defaults": settings.set_at is None,
    }


def complaint_view(state: Complaint, version: int, now: datetime) -> dict[str, Any]:
    """The complaint as the desk opens it: where it stands and how its clocks run."""
    return {
        "complaint_id": str(state.complaint_id),
        "version": version,
        "step": state.step,
        "kind": state.kind,
        "channel": state.channel,
        "category": state.category,
        "customer_id": str(state.customer_id),
        "vin": state.vin,
        "repair_order_id": None if state.repair_order_id is None else str(state.repair_order_id),
        "customer_words": state.customer_words,
        "serious_reasons": list(state.serious_reasons),
        "escalated": state.escalated,
        "received_at": state.received_at,
        "resolve_by": state.resolve_by,
        "sla_breached": state.breached_for is not None,
        "overdue": not state.resolved and state.resolve_by is not None and now >= state.resolve_by,
        "responsibility": state.responsibility or None,
        "cause": state.cause or None,
        "findings": state.findings or None,
        "remedy": state.remedy or None,
        "cost": state.cost,
        "customer_disagreed": state.disagreed,
        "resolved_at": state.first_resolved_at,
        "second_callback_due": state.second_callback_due,
        "follow_up_overdue": state.follow_up_overdue_for is not None and state.step == "acted",
        "times_back_to_facts": state.times_back_to_facts,
        "times_reopened": state.times_reopened,
    }
