"""Extraction (pure): a grid and the message around it -> the receipt (header fields, table, columns)."""
