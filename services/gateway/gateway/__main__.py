from events.runtime import serve
from gateway.app import main_app

serve(main_app(), default_port=8000)
