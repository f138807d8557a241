"""Who lives there and what moved: the population baseline and outcome indicators."""
