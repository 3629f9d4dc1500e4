"""Conversations and the case life cycle: plain functions over models and a clock."""
