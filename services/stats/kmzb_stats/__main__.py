"""python -m kmzb_stats"""

from kmzb_common.serve import serve

from .bootstrap import create_app
from .settings import StatsSettings

serve(create_app, StatsSettings())  # type: ignore[arg-type]
