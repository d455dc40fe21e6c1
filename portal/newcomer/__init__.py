"""The newcomer's own pages: activation, my plan, signing, my copy."""
