"""Ingest: list a landing day safely, decode and gunzip its units, plan shards of work."""
