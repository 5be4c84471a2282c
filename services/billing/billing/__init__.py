"""The billing service: the cashier's stage — invoices of ready repair orders with gap-free
numbers, VAT, payments, deposits, refunds, voids, receivables and the cashier's day
(docs/billing.md)."""
