"""Sending work: prompt panel, engine options, request planning, submit, jobs panel and session."""
