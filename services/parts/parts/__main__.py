from events.runtime import serve
from parts.app import main_app

serve(main_app(), default_port=8004)
