"""What comes back: takes, A/B listening, remix, applied edits and export."""
