"""Reports: the run report and its charts, the lake summary, the data dictionary."""
