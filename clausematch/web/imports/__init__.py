"""The spreadsheet import pages of the facilitators."""
