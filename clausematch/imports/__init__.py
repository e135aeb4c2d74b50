"""Bringing a territory's existing records in: contracts (with lots and clauses), companies,
people (with their employment contracts), monthly hours, and published procurement data (DECP).

`base` is the contract every kind follows; `tabular` reads CSV/XLSX files into rows; `runner`
previews and commits an import; one module per kind."""
