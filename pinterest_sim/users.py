"""The demo people of the simulated world and their fixed personal access tokens.

Tests and demos act as one person by sending ``Authorization: Bearer <their token>``, with no
sign-in; the authorize page (``/oauth/``) lets a browser choose among the same people. Their ad
account access is the world's (``World.roles``; grants in ``world.ACCESS_GRANTS``):

============================  ===============  ===========================================
user (id)                     personal token   ``permissions`` per ad account
============================  ===============  ===========================================
evergreen_marketing           SimConfig.token  OWNER: DEMO, EUR, GBP, JPY, LARGE, EMPTY,
                                               HOSTILE (pinterest_sim/hostile.py)
(1069478435)                  ("demo-token")
agency_partner (1069478999)   agency-token     OWNER: FORBIDDEN
harbor_analytics (1069479120) analyst-token    ANALYST: DEMO, EUR, FORBIDDEN
ledger_finance (1069479244)   finance-token    FINANCE_MANAGER: DEMO (listed; its data 403
                                               code 29), CAMPAIGN_MANAGER: GBP
fresh_pinner (1069479371)     pinner-token     none (PINNER account, empty list)
============================  ===============  ===========================================

(DEMO = ``DEMO_ACCOUNT_ID`` and so on, from ``pinterest_sim.world``.) Personal tokens never
expire; tokens issued through the OAuth flow do.
"""

from __future__ import annotations

from collections.abc import Mapping

from pinterest_sim.world import (
    ANALYST_USER_ID,
    FINANCE_USER_ID,
    NEWCOMER_USER_ID,
    OTHER_USER_ID,
)

AGENCY_TOKEN = "agency-token"
ANALYST_TOKEN = "analyst-token"
FINANCE_TOKEN = "finance-token"
PINNER_TOKEN = "pinner-token"

# The demo user's personal token is SimConfig.token (default "demo-token"), as before.
PERSONAL_TOKENS: Mapping[str, str] = {
    OTHER_USER_ID: AGENCY_TOKEN,
    ANALYST_USER_ID: ANALYST_TOKEN,
    FINANCE_USER_ID: FINANCE_TOKEN,
    NEWCOMER_USER_ID: PINNER_TOKEN,
}
