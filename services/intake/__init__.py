"""Intake: the door for police systems. Decisions in (HTTP and Kafka), policy-checked cases out."""
