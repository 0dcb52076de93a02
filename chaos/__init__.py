"""`make chaos`: the platform under faults, on the 3-broker cluster with two replicas of every service.

A seeded plan (`plan`) decides what the police and agencies send, what is sent twice or out of
order, which poison records go in and when which part is killed; the driver (`drive`) carries it
out against real processes (`fleet`, `faults`), the watcher (`observe`) records what the platform
published, and the verdict (`verdict`) compares the sets. Same seed, same plan.
"""
