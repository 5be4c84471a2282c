"""The catalogue service: labour operations (flat-rate times per model family), labour rates per
pay type, service menus, the parts price list (`catalogue.price_list`) and quotes priced from them,
every change in force from a date (docs/catalogue.md)."""
