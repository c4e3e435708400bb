"""python -m kmzb_notifier"""

from kmzb_common.serve import serve

from .bootstrap import create_app
from .settings import NotifierSettings

serve(create_app, NotifierSettings())  # type: ignore[arg-type]
