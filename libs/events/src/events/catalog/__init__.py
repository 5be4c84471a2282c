"""The published event catalogue: one module per service, imported by whoever consumes it.

Importing this package registers every contract, so a consumer can decode any event."""

from events.catalog import billing as billing
from events.catalog import billing_outbound as billing_outbound
from events.catalog import booking as booking
from events.catalog import catalogue as catalogue
from events.catalog import catalogue_prices as catalogue_prices
from events.catalog import complaints as complaints
from events.catalog import followup as followup
from events.catalog import followup_campaigns as followup_campaigns
from events.catalog import followup_files as followup_files
from events.catalog import followup_proposals as followup_proposals
from events.catalog import notifications as notifications
from events.catalog import parts as parts
from events.catalog import privacy as privacy
from events.catalog import reception as reception
from events.catalog import reception_invoicing as reception_invoicing
from events.catalog import reception_settings as reception_settings
from events.catalog import testing as testing
from events.catalog import workshop as workshop
from events.catalog import workshop_inspection as workshop_inspection
