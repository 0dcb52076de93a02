"""The police's signals in the demo that a diverted person was named in a new investigation.

Each person's chance of being named again is drawn once their case has concluded, from their risk and from how the
case ended (`PlannedCase.named_after`), and the force sends the signal on its own topic, as itself, only when the
simulated day it names has come: a signal is never dated in the future, nor before the diversion — the platform
refuses those — so the 24-month figure the report prints is measured, not put in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aiokafka import AIOKafkaProducer

from schemas.calendar import local_date
from schemas.envelope import encode
from schemas.events import ReoffendingSignal
from schemas.topics import POLICE_SIGNALS
from services.operations.simulator.police import PoliceCase


@dataclass(frozen=True)
class Naming:
    case_id: str
    force_id: str
    subject_ref: str
    diverted_on: date
    named_on: date

    @property
    def within_24_months(self) -> bool:
        """As the report counts it: named on or before the same day two years after the diversion."""
        try:
            end = self.diverted_on.replace(year=self.diverted_on.year + 2)
        except ValueError:  # 29 February
            end = self.diverted_on.replace(year=self.diverted_on.year + 2, day=28)
        return self.named_on <= end


@dataclass
class Signals:
    """The namings still to come, and how many have been sent."""

    pending: list[Naming] = field(default_factory=list)
    concluded: set[str] = field(default_factory=set)
    """The cases whose outcome has been seen (each draws its naming once)."""
    sent: list[Naming] = field(default_factory=list)

    def named_within_24_months(self) -> int:
        """How many of the namings sent fell within 24 months of the diversion (what the report should count)."""
        return sum(naming.within_24_months for naming in self.sent)

    def concluded_case(self, case: PoliceCase, completed: bool) -> None:
        """Draw, once, whether and when the person of a case that has just concluded is named again."""
        if case.case_id in self.concluded:
            return
        self.concluded.add(case.case_id)
        after = case.plan.named_after(completed)
        if after is not None:
            decision = case.plan.decision
            diverted_on = local_date(case.decided_at)
            named_on = diverted_on + timedelta(days=after)
            self.pending.append(Naming(case.case_id, decision["force_id"], case.subject_ref, diverted_on, named_on))

    async def send_due(self, producer: AIOKafkaProducer, prefix: str, now: datetime) -> int:
        """Send, as the force, every naming whose day has come; return how many."""
        today = local_date(now)
        due = [naming for naming in self.pending if naming.named_on <= today]
        self.pending = [naming for naming in self.pending if naming.named_on > today]
        for naming in due:
            signal = ReoffendingSignal(
                case_id=naming.case_id,
                force_id=naming.force_id,
                subject_ref=naming.subject_ref,
                domestic_abuse=False,
                named_on=naming.named_on,
            )
            record = encode(
                signal, event_id=f"demo-signal-{naming.case_id}", source="/police/demo", time=now, key=naming.case_id
            )
            topic = prefix + POLICE_SIGNALS.named(naming.force_id)
            await producer.send_and_wait(topic, record.value, key=record.key, headers=record.headers)
        self.sent += due
        return len(due)
