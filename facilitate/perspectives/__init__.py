"""Perspectives: residents agree or disagree with statements; opinion groups and common ground."""
