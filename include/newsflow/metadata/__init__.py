"""Article metadata beyond the text itself: language and duplicates."""
