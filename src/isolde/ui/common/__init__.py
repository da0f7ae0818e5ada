"""Shared by every area: what the user is doing, a wrapping layout, polled tasks, problem labels,
and where file dialogs start (folders)."""
