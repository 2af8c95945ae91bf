"""Named entities: spaCy NER plus news rules (canonical names, gazetteer labels, tables, salience)."""
