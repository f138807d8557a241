"""The first conversations: what residents said before the in-depth dialogues, and its themes."""
