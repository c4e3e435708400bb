"""python -m kmzb_intake"""

from kmzb_common.serve import serve

from .bootstrap import create_app
from .settings import IntakeSettings

serve(create_app, IntakeSettings())  # type: ignore[arg-type]
