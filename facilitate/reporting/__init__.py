"""What a meeting produced, for the team (the report) and for residents (the feedback page)."""
