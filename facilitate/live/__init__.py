"""Live meetings: participants, their contributions, reactions and hands, and room state."""
