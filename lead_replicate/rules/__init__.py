"""Rules: the format definition, the LEAD principles and readiness, and validation itself."""
