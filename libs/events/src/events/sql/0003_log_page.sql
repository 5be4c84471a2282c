-- A page of the global log in one statement (events.store.read_log). The planner settings the
-- read needs (walk the (tx_id, position) index, never bitmap-scan and sort everything after the
-- checkpoint, which stale statistics would choose) and the ISO/UTC text of its timestamps hold
-- for this function's run only. Before it, each read was four round trips: BEGIN, SET LOCAL,
-- SELECT, COMMIT, for every wake-up of the relay and of each log projector.
--
-- Only rows below the oldest running transaction: everything there has committed (or aborted
-- and is invisible), so nothing can appear later behind the reader's checkpoint.
CREATE FUNCTION events_log_page(after_tx xid8, after_position bigint, page integer)
RETURNS TABLE (
    "position" bigint, tx_id bigint, stream_id text, stream_version integer, event_id uuid, event_type text,
    schema_version smallint, data jsonb, group_id text, site_id text, actor text, correlation_id text,
    causation_id text, traceparent text, tracestate text, occurred_at text, recorded_at text
)
LANGUAGE sql STABLE
SET enable_bitmapscan = off
SET enable_sort = off
SET TimeZone = 'UTC'
SET DateStyle = 'ISO'
AS $$
    SELECT e.position, e.tx_id::text::bigint, e.stream_id, e.stream_version, e.event_id, e.event_type,
           e.schema_version, e.data, e.group_id, e.site_id, e.actor, e.correlation_id, e.causation_id,
           e.traceparent, e.tracestate, e.occurred_at::text, e.recorded_at::text
    FROM events e
    WHERE (e.tx_id, e.position) > (after_tx, after_position)
      AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY e.tx_id, e.position
    LIMIT page
$$;
