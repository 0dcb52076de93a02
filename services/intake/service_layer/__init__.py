"""Intake's use cases: each handler takes a command and a unit of work, whatever door it came through."""
