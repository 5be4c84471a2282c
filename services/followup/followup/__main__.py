from events.runtime import serve
from followup.app import main_app

serve(main_app(), default_port=8005)
