"""The verification step: a provider checks that a name and an ID number belong together.

A real provider (the public security bureau's service, a bank-card check, a face check at the
hospital's desk) is not reachable from here; the interface is what the clinic plugs one into.
The development provider (DEMO=1) accepts every valid number at once; without one, an identity
stays unverified until a provider or the clinic's staff verifies it.
"""
from __future__ import annotations

from typing import Protocol


class IdentityProvider(Protocol):
    """Checks a person's name against their ID number."""

    name: str

    async def verify(self, name: str, id_number: str) -> bool | None:
        """True (verified), False (refused) or None (cannot tell now: stays pending)."""


class DevelopmentProvider:
    """Development only: a number that passed the check digit is taken as verified."""

    name = "development"

    async def verify(self, name: str, id_number: str) -> bool | None:
        """Verified at once."""
        return True


class NoProvider:
    """No provider configured: identities stay pending."""

    name = "none"

    async def verify(self, name: str, id_number: str) -> bool | None:
        """Cannot tell."""
        return None


def provider_for(demo: bool) -> IdentityProvider:
    """The provider of this deployment."""
    return DevelopmentProvider() if demo else NoProvider()
