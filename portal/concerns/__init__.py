"""Mutual obligations: a newcomer's concern that the municipality did not keep its side of the plan."""
