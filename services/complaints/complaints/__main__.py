from complaints.app import main_app
from events.runtime import serve

serve(main_app(), default_port=8006)
