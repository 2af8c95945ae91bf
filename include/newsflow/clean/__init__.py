"""Clean: turn one raw unit (text scrape, HTML page, JSON record) into article fields and segments."""
