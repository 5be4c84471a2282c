"""What the complaints API accepts: request bodies, validated (422 with field errors), each
building its domain command (what it answers is `views.py`).

Code lists are checked here too (a typo is a field error, not a refusal); the domain checks them
again for the policy's commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from complaints.domain.commands import (
    ConfirmFacts,
    DecideRemedy,
    ExplainDecision,
    ListenToCustomer,
    ReceiveComplaint,
    ReclassifyComplaint,
    RecordFollowUp,
    TakeAction,
)
from complaints.domain.settings import SetComplaintSettings, SiteSettings
from events.catalog import complaints_values as codes
from events.catalog.complaints_values import Authorisation, CustomerAccount
from events.identity import GROUP_ADMIN, SERVICE_MANAGER, Identity
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
# The identity role that approves beyond a handling person's limit → its name on the record.
APPROVERS = {SERVICE_MANAGER: "service_manager", GROUP_ADMIN: "general_manager"}


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

    def command(self, handled_by: str, at: datetime, settings: SiteSettings) -> ReceiveComplaint:
        return ReceiveComplaint(
            complaint_id=self.complaint_id,
            customer_id=self.customer_id,
            channel=self.channel,
            kind=self.kind,
            category=self.category,
            customer_words=self.customer_words,
            handled_by=handled_by,
            received_at=at,
            calendar=settings.calendar,
            vin=self.vin,
            repair_order_id=self.repair_order_id,
            callback_id=self.callback_id,
            serious_reasons=self.serious_reasons,
        )


class ReclassifyBody(Body):
    """Complaint ⇄ general grievance; the SLA deadline is counted again from receipt."""

    kind: Kind
    reason: Text

    def command(self, handled_by: str, at: datetime, settings: SiteSettings) -> ReclassifyComplaint:
        return ReclassifyComplaint(self.kind, self.reason, handled_by, at, settings.calendar)


class ListenBody(Body):
    """Step 2: the 5W2H account and the complaint restated in the customer's words."""

    account: CustomerAccount
    restated_words: Text

    def command(self, handled_by: str, at: datetime) -> ListenToCustomer:
        return ListenToCustomer(self.account, self.restated_words, handled_by, at)


class FactsBody(Body):
    """Step 3: the cause and who is responsible (manufacturer, dealer or customer)."""

    responsibility: Responsibility
    cause: Category
    findings: Text
    reproduced: bool
    reproduced_by: str | None = Field(default=None, min_length=1, max_length=100)
    vip: bool = False
    repeat_visitor: bool = False

    def command(self, handled_by: str, at: datetime) -> ConfirmFacts:
        return ConfirmFacts(
            responsibility=self.responsibility,
            cause=self.cause,
            findings=self.findings,
            reproduced=self.reproduced,
            handled_by=handled_by,
            confirmed_at=at,
            reproduced_by=self.reproduced_by,
            vip=self.vip,
            repeat_visitor=self.repeat_visitor,
        )


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

    def command(self, identity: Identity, at: datetime, settings: SiteSettings) -> DecideRemedy:
        """The person's own limit; beyond it a service manager's (group admin's) decision records
        them as the approver, anyone else's is refused by the domain (approval_required)."""
        limit = settings.limit_for(identity.roles)
        authorised_by: Authorisation | None = None
        approver = next((APPROVERS[role] for role in (GROUP_ADMIN, SERVICE_MANAGER) if role in identity.roles), None)
        if self.manufacturer_authorisation is not None:
            given = self.manufacturer_authorisation
            authorised_by = Authorisation(
                person=given.person, role="manufacturer_customer_service", authorised_at=at, reference=given.reference
            )
        elif self.cost > limit and approver is not None:
            authorised_by = Authorisation(person=identity.user_id, role=approver, authorised_at=at)
        return DecideRemedy(
            remedy=self.remedy,
            description=self.description,
            cost=self.cost,
            remedy_due=self.remedy_due,
            spokesperson=self.spokesperson,
            handled_by=identity.user_id,
            decided_at=at,
            authority_limit=limit,
            dealer_limit=settings.dealer_limit,
            authorised_by=authorised_by,
            compromise=self.compromise,
        )


class ExplanationBody(Body):
    """Step 5: not agreed sends the complaint back to the facts (step 3)."""

    agreed: bool
    customer_response: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def disagreement_in_words(self) -> ExplanationBody:
        if not self.agreed and not self.customer_response.strip():
            raise ValueError("write down what the customer does not agree with (customer_response)")
        return self

    def command(self, handled_by: str, at: datetime) -> ExplainDecision:
        return ExplainDecision(self.agreed, handled_by, at, self.customer_response)


class ActionBody(Body):
    """Step 6: the remedy carried out; the second callback falls due the next working day."""

    description: Text
    cost: Money
    in_customer_presence: bool
    customer_satisfied: bool

    def command(self, handled_by: str, at: datetime, settings: SiteSettings) -> TakeAction:
        return TakeAction(
            self.description,
            self.cost,
            self.in_customer_presence,
            self.customer_satisfied,
            handled_by,
            at,
            settings.calendar,
        )


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

    def command(self, handled_by: str, at: datetime) -> RecordFollowUp:
        return RecordFollowUp(
            satisfied=self.satisfied,
            channel=self.channel,
            handled_by=handled_by,
            followed_up_at=at,
            back_to=self.back_to,
            customer_words=self.customer_words,
            report_summary=self.report_summary,
        )


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

    def command(self, site_id: UUID, set_by: str, at: datetime) -> SetComplaintSettings:
        return SetComplaintSettings(
            site_id=site_id,
            working_weekdays=frozenset(self.working_weekdays),
            holidays=frozenset(self.holidays),
            extra_working_days=frozenset(self.extra_working_days),
            timezone=self.timezone,
            authority_limits=dict(self.authority_limits),
            dealer_limit=self.dealer_limit,
            set_by=set_by,
            set_at=at,
        )
