"""Evaluation commands: ``python -m newsflow.evaluate {extraction,metadata,entities}``."""
