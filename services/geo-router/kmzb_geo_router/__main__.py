"""python -m kmzb_geo_router"""

from kmzb_common.serve import serve

from .bootstrap import create_app
from .settings import GeoRouterSettings

serve(create_app, GeoRouterSettings())  # type: ignore[arg-type]
