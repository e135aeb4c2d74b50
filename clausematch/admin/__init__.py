"""Platform administration: the scheduled jobs page (/admin/taches) and `flask jobs`."""
