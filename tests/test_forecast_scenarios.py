"""Policy scenario files (MODEL_SPEC §6): loading, validation errors, policy mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure.errors import ConfigError
from exposure.forecast.io import scenarios as S
from exposure.forecast.model.capability import CapabilityParams
from exposure.forecast.model.diffusion import DiffusionParams
from exposure.forecast.model.thresholds import Policy
from exposure.forecast.simulation.montecarlo import Setup

IDS = ["P0", "P0-high", *(f"P{i}" for i in range(1, 12))]
LABELS = ("scenario_id", "title", "description", "points", "fixed")


def _setup(sid: str) -> Setup:
    return Setup.from_scenario(S.load_scenario(S.SCENARIO_DIR / f"{sid}.toml"))


def _moved(a: Setup, b: Setup) -> set[str]:
    """Setup fields (policy fields unpacked) in which two scenarios differ."""
    def flat(s: Setup) -> dict:
        out = {k: v for k, v in vars(s).items() if k not in LABELS and k != "policy"}
        return out | {f"policy.{k}": v for k, v in vars(s.policy).items()}
    fa, fb = flat(a), flat(b)
    return {k for k in fa if fa[k] != fb[k]}
HEADER = 'id = "{id}"\ntitle = "A test"\ndescription = "Made by a test."\n'


def _write(folder: Path, body: str, name: str = "T1") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(HEADER.format(id=name) + body, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        S.load_scenario(path)
    text = str(info.value)
    assert text.endswith(".") and ". " not in text, f"not one sentence: {text}"
    assert str(path) in text
    return text


# ------------------------------------------------------------------ shipped files


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_shipped_scenario_loads(scenario_id: str) -> None:
    sc = S.load_scenario(S.SCENARIO_DIR / f"{scenario_id}.toml")
    assert sc.id == scenario_id
    assert sc.title.strip() and "\n" not in sc.title.strip()  # a one-line plain title
    assert len(sc.description.split()) >= 20  # a paragraph: the policy and what it moves
    if sc.changes():
        assert "Moves" in sc.description
    Setup.from_scenario(sc)  # resolves without error


def test_list_scenarios_finds_every_shipped_file_in_order() -> None:
    assert [s.id for s in S.list_scenarios()] == IDS


def test_p0_changes_nothing_and_equals_the_defaults() -> None:
    p0 = S.load_scenario(S.SCENARIO_DIR / "P0.toml")
    assert p0.changes() == {}
    setup = Setup.from_scenario(p0)
    assert setup.capability == CapabilityParams()
    assert setup.diffusion == DiffusionParams()
    assert setup.policy == Policy() and setup.cbi == 0.0 and setup.fixed == frozenset()


def test_scenario_files_change_policies_and_game_settings_only() -> None:
    for sc in S.list_scenarios():
        assert set(sc.changes()) <= {"policy", "game", "labour"}, sc.id
    assert S.load_scenario(S.SCENARIO_DIR / "P0-high.toml").changes() == {
        "labour": {"theta_sub": 1.0}}
    assert _setup("P0-high").fixed == frozenset({"theta_sub"})


def test_parameters_merge_the_file_over_the_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, "[capability]\nTd_months = 4.3\n[policy]\nubi = 1000.0\n")
    params = S.load_scenario(path).parameters()
    assert params.capability.Td_months == 4.3
    assert params.capability.H0_minutes == CapabilityParams().H0_minutes
    assert params.policy.ubi == 1000.0 and params.policy.cbi == 0.0
    assert params.diffusion.bass_q == DiffusionParams().bass_q


# ------------------------------------------------------------------ validation errors


def test_unknown_key_raises_config_error_naming_file_and_key(tmp_path: Path) -> None:
    text = _error(_write(tmp_path, "[capability]\nTd_monthz = 5.0\n"))
    assert "'capability.Td_monthz'" in text and "Td_months" in text  # names what is allowed


def test_unknown_section_raises_config_error(tmp_path: Path) -> None:
    text = _error(_write(tmp_path, "[capabilities]\nTd_months = 5.0\n"))
    assert "'capabilities'" in text and "[capability]" in text


def test_out_of_range_value_raises_config_error_naming_file_and_key(tmp_path: Path) -> None:
    text = _error(_write(tmp_path, "[diffusion]\nf_soc = 1.5\n"))
    assert "'diffusion.f_soc'" in text and "1.5" in text and "[0, 1]" in text


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[capability]\nTd_months = 0.0\n", "capability.Td_months"),
        ("[capability]\nTd_months = -7.0\n", "capability.Td_months"),
        ("[policy]\ncbi = -0.1\n", "policy.cbi"),
        ("[policy]\nworker_equity = 1.2\n", "policy.worker_equity"),
        ("[policy]\ncoalition_size = 0\n", "policy.coalition_size"),
        ('[policy]\nautomation_tax = "huge"\n', "policy.automation_tax"),
        ("[game]\nlam_tot = 2.0\n", "game.lam_tot"),
        ("[game]\neta = nan\n", "game.eta"),
        ("[cost]\ng_c = 1.0\n", "cost.g_c"),
        ("[policy]\ncbi = true\n", "policy.cbi"),
        ('[policy]\ncbi = "0.5"\n', "policy.cbi"),
        ("[uncertainty]\ntheta_sub = [0.2, 1.4]\n", "uncertainty.theta_sub"),
        ("[uncertainty]\neta = [0.8, 0.7]\n", "uncertainty.eta"),
        ("[uncertainty]\neta = [0.8]\n", "uncertainty.eta"),
        ("[policy]\ncoalition_size = 3\ncoalition_share = 0.5\n", "policy.coalition_share"),
        ("[policy]\ntax_rate = 0.1\n", "policy.tax_rate"),
        ("capability = 3\n", "capability"),
    ],
)
def test_every_bad_value_names_its_key(tmp_path: Path, body: str, key: str) -> None:
    assert f"'{key}'" in _error(_write(tmp_path, body))


def test_infinite_doubling_time_is_allowed(tmp_path: Path) -> None:
    sc = S.load_scenario(_write(tmp_path, "[capability]\nTd_months = inf\n"))
    assert Setup.from_scenario(sc).capability.Td_months == float("inf")
    assert "Td_months" in Setup.from_scenario(sc).fixed


def test_missing_header_key_and_id_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "T2.toml"
    path.write_text('id = "T2"\ndescription = "x"\n', encoding="utf-8")
    assert "'title'" in _error(path)
    path.write_text('id = "P0"\ntitle = "x"\ndescription = "x"\n', encoding="utf-8")
    assert "'id'" in _error(path) and '"T2"' in _error(path)


def test_bad_toml_and_missing_file_raise_config_error(tmp_path: Path) -> None:
    path = tmp_path / "T3.toml"
    path.write_text('id = "T3"\n[policy\n', encoding="utf-8")
    assert "not valid TOML" in _error(path)
    assert "does not exist" in _error(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="does not exist"):
        S.list_scenarios(tmp_path / "no_folder")


# ------------------------------------------------------------------ policy mapping (§6)


def test_p7_with_cbi_zero_equals_p0_in_everything_that_matters(tmp_path: Path) -> None:
    text = (S.SCENARIO_DIR / "P7.toml").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("cbi")]
    body = "\n".join(lines).replace("[policy]", "[policy]\ncbi = 0.0")
    (tmp_path / "P7.toml").write_text(body + "\n", encoding="utf-8")
    p7_off = Setup.from_scenario(S.load_scenario(tmp_path / "P7.toml"))
    assert p7_off.dividend > 0.0  # the dividend is still written, but scaled by CBI = 0
    assert _moved(p7_off, _setup("P0")) == {"dividend"}


def test_p4_and_p8_raise_eta_and_the_reemployment_hazard() -> None:
    p4, p8, p1 = _setup("P4"), _setup("P8"), _setup("P1")
    assert p4.delta_eta == pytest.approx(0.1) and p4.h_factor == pytest.approx(1.5)
    assert p8.h_factor == p4.h_factor and p8.delta_eta == 0.0  # P8's Δη comes from revenue
    assert p8.policy.automation_tax == p1.policy.automation_tax == "pigouvian"
    assert p8.tax_rebate == "retraining" and p1.tax_rebate == "lump_sum"


def test_each_policy_moves_only_its_own_dial() -> None:
    base = _setup("P0")
    dials = {
        "P1": {"policy.automation_tax", "tax_rebate"},
        "P2": {"capital_tax"},
        "P3": {"ubi"},
        "P4": {"delta_eta", "h_factor"},
        "P5": {"policy.worker_equity"},
        "P6": {"policy.coalition_share"},
        "P7": {"cbi", "dividend"},
        "P9": {"policy.phi"},
        "P10": {"policy.wage_concession"},
        "P11": {"policy.automation_tax", "policy.planner_mu", "tax_rebate"},
    }
    for sid, fields in dials.items():
        assert _moved(_setup(sid), base) == fields, sid


def test_uncertainty_ranges_may_be_uniform_or_triangular(tmp_path: Path) -> None:
    sc = S.load_scenario(_write(tmp_path, "[uncertainty]\ng_c = [0.05, 0.2]\n"
                                          "Td_months = [4.0, 6.0, 12.0]\n"))
    setup = Setup.from_scenario(sc)
    assert setup.ranges["g_c"] == (0.05, 0.2) and setup.centre("g_c") == pytest.approx(0.125)
    assert setup.centre("Td_months") == 6.0
    assert "'uncertainty.q_req'" in _error(_write(tmp_path, "[uncertainty]\nq_req = [0.5, 1.2]\n",
                                                    "T9"))
