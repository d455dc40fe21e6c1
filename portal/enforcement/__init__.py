"""Enforcement (handhaving): warnings and fines for culpable non-cooperation, always approved by a teamleider."""
