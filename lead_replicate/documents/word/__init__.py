"""Counsel's copy: document HTML read into neutral blocks, written as Word files and redlines."""
