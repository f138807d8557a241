"""Action items: what a dialogue agreed, who acts, by when, and how it went."""
