"""Telling people and systems what changed: which events are told, to whom, and retries."""
