"""Enrich: language, duplicates across the day, named entities."""
