"""The workshop service: work orders, dispatch, clock on/off, findings, progress, QC."""
