"""Texts people read: worker.py for what a worker receives, pages.py for the people's pages."""
