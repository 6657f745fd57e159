"""The kinds of danger the check names, and which of them call for CEOP."""

from __future__ import annotations

# Ordered by what a reply must lead with.
KINDS = ("suicide", "self-harm", "overdose", "missing", "threat", "sexual", "sextortion",
         "grooming", "physical", "domestic", "exploitation", "neglect", "general")
# Sexual contact, grooming and shared images: CEOP (the police's child protection command).
CEOP_KINDS = frozenset({"sexual", "sextortion", "grooming"})
# Thoughts of self-harm or suicide: Samaritans as well.
SAMARITANS_KINDS = frozenset({"suicide", "self-harm", "overdose"})
