"""The followup service: customer files, callbacks after a visit, reminders and campaigns."""
