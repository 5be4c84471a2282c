from events.runtime import serve
from events.settings import exit_on_bad_settings

# The service's modules are imported inside: a setting read as they load is checked there too.
with exit_on_bad_settings("portal"):
    from portal.app import main_app

    serve(main_app(), default_port=8011)
