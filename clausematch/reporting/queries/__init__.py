"""Report queries: every figure aggregated in SQL from the raw records (GROUP BY, COUNT
DISTINCT, CASE), each report in a fixed number of statements whatever the data."""
