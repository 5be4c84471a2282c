from events.runtime import serve
from reception.app import main_app

serve(main_app(), default_port=8002)
