"""Perspectives: statements residents agree or disagree with, and what the room has in common."""
