"""Process runtime helpers: warm preloading for forked task processes, deferred imports."""
