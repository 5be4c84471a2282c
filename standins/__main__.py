"""`python -m standins`: the local outside parties on $PORT (8090), recording under
$STANDINS_DATA (var/standins)."""

import os
from pathlib import Path

import uvicorn

from standins import PORT
from standins.app import create_app

data = Path(os.environ.get("STANDINS_DATA") or "var/standins")
uvicorn.run(create_app(data), host="127.0.0.1", port=int(os.environ.get("PORT") or PORT), log_level="warning")
