"""Before a hire: collective events (information sessions, job-datings, job fairs, site visits)
with their invitations, registrations and attendance, and individual steps (PMSMP immersion,
pre-hire training POEC / POEI / AFPR, validation for a training)."""
