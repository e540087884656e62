"""Benchmarks of what an officer waits for and what the server pays (`python -m benchmarks`)."""
