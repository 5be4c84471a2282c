"""Follow-up's refusals: each a `DomainError` with a stable code (HTTP 409) and a message that
says which rule was broken. Bad code-list values and missing text use `events.rules`
(`invalid_code`, `missing_information`)."""

from __future__ import annotations

from events.errors import DomainError


class NoCustomerFile(DomainError):
    code = "no_customer_file"


class DoNotCall(DomainError):
    """The customer asked not to be called (docs/domain.md §6): no callback, reminder or campaign call."""

    code = "do_not_call"


class CallbackAlreadyOpen(DomainError):
    code = "callback_already_open"


class NoCallback(DomainError):
    code = "no_callback"


class CallbackClosed(DomainError):
    """Completed, refused, given up or cancelled: nothing more is recorded on it."""

    code = "callback_closed"


class CallbackNotDue(DomainError):
    """Outbound calls start at most one day before the due time (docs/domain.md §6)."""

    code = "callback_not_due"


class CallMeLaterInPast(DomainError):
    code = "call_me_later_in_past"


class ScoreOutOfRange(DomainError):
    code = "score_out_of_range"


class TooFewAttempts(DomainError):
    """At least 3 attempts before an unreachable customer is given up (docs/domain.md §6)."""

    code = "too_few_attempts"


class NoOpenQuestion(DomainError):
    code = "no_open_question"


class AnswerDeadlineInvalid(DomainError):
    """The customer is told the same day a solution exists (seed 002 §3.4)."""

    code = "answer_deadline_invalid"


class CampaignAlreadyPlanned(DomainError):
    code = "campaign_already_planned"


class NoCampaign(DomainError):
    code = "no_campaign"


class NotACampaignTarget(DomainError):
    code = "not_a_campaign_target"


class CampaignRefused(DomainError):
    """The customer refused the campaign on the phone: no letter follows."""

    code = "campaign_refused"


class TimeOutOfOrder(DomainError):
    code = "time_out_of_order"


class NoProposal(DomainError):
    code = "no_proposal"


class ProposalClosed(DomainError):
    """Booked, declined or opted out: no further answer is recorded on it."""

    code = "proposal_closed"


class CallAgainNotAhead(DomainError):
    """ "Call me later" names a day after today at the site."""

    code = "call_again_not_ahead"


class CampaignNoticeTooShort(DomainError):
    """A campaign starts at least two weeks after it is planned, the seed's notice period (seed
    002 §3.6), unless a service manager overrides it with a reason."""

    code = "campaign_notice_too_short"


class FailedMessageAlreadyHandled(DomainError):
    code = "failed_message_handled"
