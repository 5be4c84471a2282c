"""Export the published contracts as JSON Schema files, one per event type and version.

    python -m events.schemas OUT_DIR

writes `OUT_DIR/<service>/<Event>/v<N>.json` for every registered contract (the path matches
the schema's `$id`, which is also each CloudEvent's `dataschema`): the schema published to
readers, open to fields a later revision of the version adds (`Registry.published_schema`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import events.catalog  # noqa: F401  (registers every contract)
from events.contract import REGISTRY, Registry


def export(folder: Path, registry: Registry = REGISTRY) -> list[Path]:
    written = []
    for model in registry:
        service, name = model.event_type.split(".", 1)
        path = folder / service / name / f"v{model.schema_version}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(registry.published_schema(model), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for path in export(Path(sys.argv[1])):
        print(path)
