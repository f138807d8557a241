"""Proposals and votes: from ideas in the room to a tally the room can trust."""
