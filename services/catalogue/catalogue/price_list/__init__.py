"""The parts price list of a dealer group (issue 19): versioned imports of the usual CSV price
file, supersessions, and the lookup of the prices in force on a date.

`rows` reads and checks a file (pure), `importer` records a version, `lookup` answers prices
(also for the catalogue's quotes), `api` serves them over HTTP. docs/catalogue.md, "The parts
price list", describes the file and the rules.
"""
