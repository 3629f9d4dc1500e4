"""Surveys and announcements: definitions, audiences and rosters, runs and their dispatch."""
