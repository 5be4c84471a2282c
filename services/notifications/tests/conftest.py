pytest_plugins = ["events.testing.fixtures"]
