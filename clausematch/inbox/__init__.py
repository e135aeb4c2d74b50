"""In-app notifications of the logged-in user: the list, marking as read, the unread count."""
