"""The lake: layout names, Parquet writing and verification, one store interface (local, object store)."""
