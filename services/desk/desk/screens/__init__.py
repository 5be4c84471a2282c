"""The desk's screens, one module each: its routes (`router`) and its templates' names. A new
screen is a module here, its templates, a `navigation.SCREENS` entry and a browser test."""
