"""The pure domain of the complaints service: the `complaint` aggregate
(`complaint-<complaint_id>`), its commands, state, refusals and the SLA calendar.
No I/O here: time, the site's working calendar and authority limits arrive on the commands."""
