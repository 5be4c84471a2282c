from events.runtime import serve
from workshop.app import main_app

serve(main_app(), default_port=8003)
