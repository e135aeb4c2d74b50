"""The person's data over its whole life (RGPD): consent withdrawn, right of access, erasure that
keeps the statistics, retention periods enforced, and the log of who saw or changed what.

`erasure.anonymise` is the one mechanism that wipes a person's identity; consent withdrawal and
the retention job call it, so every path leaves the same anonymous record behind.
"""
