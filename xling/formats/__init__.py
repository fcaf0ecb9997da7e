"""Write stage: every output format is a projection of beads; each has a reader for round trips."""
