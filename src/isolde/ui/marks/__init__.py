"""Marks: spans and regions, their colours, the marks list and table, commands, times dialog."""
