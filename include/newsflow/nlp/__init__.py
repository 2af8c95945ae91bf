"""NLP stages (named entities). Heavy imports (spaCy, the model) happen on first use, not at import."""

from __future__ import annotations
