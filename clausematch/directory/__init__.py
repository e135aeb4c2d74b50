"""The directory of inclusive structures (SIAE, GEIQ, EA, régies de quartier): profiles, search,
and the structures that could take part in a lot."""
