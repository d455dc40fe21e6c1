"""The beheerder's pages: the state of the portal's background work (documents the worker could not make)."""
