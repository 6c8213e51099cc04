"""MODEL_SPEC §6 policy invariants not covered by the game's own tests (P3, P4, P8)."""

from __future__ import annotations

import numpy as np

from exposure.forecast.model.game import (
    GameParams,
    alpha_coop,
    alpha_nash,
    best_response,
    demand,
    demand_loss,
    pigouvian_tax,
    saving,
    wedge,
)

G = GameParams()  # the paper's illustrative case: w 1, c .3, k 1, λ .5, η .3, N 7


def test_p3_ubi_raises_demand_and_leaves_automation_unchanged() -> None:
    richer = G.with_(A=G.A + G.lam * 0.2 * 100.0)  # A_j += λ_j·b·Pop
    assert demand(0.4, 0.4, richer) > demand(0.4, 0.4, G)
    # The firm's numeric best response, from its profit function, ignores the transfer.
    assert best_response(0.4, richer) == best_response(0.4, G)


def test_p4_wedge_is_proportional_to_one_minus_eta_and_closes_only_at_one() -> None:
    s = saving(G.w, G.c)
    etas = np.array([0.0, 0.3, 0.6, 0.9, 0.99])
    wedges = wedge(s, demand_loss(G.lam, etas, G.w), G.k, G.N)
    np.testing.assert_allclose(wedges / (1.0 - etas), wedges[0], rtol=1e-12)
    assert (wedges > 0).all()
    assert wedge(s, demand_loss(G.lam, 1.0, G.w), G.k, G.N) == 0.0


def test_p8_tax_with_upskilling_reaches_the_new_cooperative_rate() -> None:
    s, eta_new = saving(G.w, G.c), G.eta + 0.2
    ell_new = demand_loss(G.lam, eta_new, G.w)
    taxed = alpha_nash(s, ell_new, G.k, G.N, tau=pigouvian_tax(ell_new, G.N))
    assert abs(taxed - alpha_coop(s, ell_new, G.k)) < 1e-9
    assert alpha_coop(s, ell_new, G.k) > alpha_coop(s, demand_loss(G.lam, G.eta, G.w), G.k)
