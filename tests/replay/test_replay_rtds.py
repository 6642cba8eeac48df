"""``commshub replay`` over the DCC's Reference Test Data Set ($COMMSHUB_RTDS_DIR)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from commshub.cli import main
from commshub.replay import CaseResult, Outcome, Replayer, first_difference, frame_tree
from commshub.replay.runner import Target

# CHF and GPF use cases the emulated hub answers as the reference does.
HUB_MATCHES = (
    "CCS01_8.11_SUCCESS", "CCS02_8.11_SUCCESS", "CCS03_8.12.1_SUCCESS", "CCS05CCS04_8.9_SUCCESS",
    "CCS06_8.9_SUCCESS", "CCS07_8.9_SUCCESS", "ECS26n_6.2.4_SUCCESS", "ECS35c_6.13_SUCCESS", "ECS35d_6.13_SUCCESS",
    "DBCH01_6.31_SUCCESS", "DBCH02_6.32_SUCCESS", "DBCH03_6.30_SUCCESS", "DBCH04_6.28_SUCCESS",
    "DBCH05_6.29_SUCCESS", "GCS59_8.12.2_SUCCESS",
)
# Reads of GSME data addressed to the GPF, which the hub answers from the data the virtual GSME
# pushed to its mirror.
GPF_DATA_MATCHES = (
    "GCS13a_4.1.1_SUCCESS_RELIABLE_GPF", "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME", "GCS13b_4.1.4_SUCCESS_RELIABLE_GPF",
    "GCS13b_4.1.4_SUCCESS_RELIABLE_GSME", "GCS13c_4.1.2_SUCCESS_RELIABLE_GPF", "GCS13c_4.1.2_SUCCESS_RELIABLE_GSME",
    "GCS14_4.3_SUCCESS_RELIABLE_GPF", "GCS14_4.3_SUCCESS_RELIABLE_GSME", "GCS16b_4.14_URP_SUCCESS",
    "GCS60a_4.18_SUCCESS_RELIABLE_GPF", "GCS60a_4.18_SUCCESS_RELIABLE_GSME", "GCS61_4.17_SUCCESS",
    "GCS61_4.17_NOT_FOUND",
)
# GSME variants to which the virtual gas meter responds as the reference GSME does: attribute reads, the
# commands that change it, and the reads of its snapshots, logs, samples, calendars and prices.
GSME_MATCHES = (
    "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS", "GCS01b_1.2.1_FUTURE_DATED_BLOCK_SUCCESS", "GCS02_1.6_IMMEDIATE_SUCCESS",
    "GCS04_2.3_SUCCESS", "GCS05_2.1_IMMEDIATE_SUCCESS", "GCS13a_4.1.1_SUCCESS_UNRELIABLE",
    "GCS13b_4.1.4_SUCCESS_UNRELIABLE", "GCS13c_4.1.2_SUCCESS_UNRELIABLE", "GCS14_4.3_SUCCESS_UNRELIABLE",
    "GCS15b_4.4.2_SUCCESS", "GCS15d_4.4.4_SUCCESS", "GCS15d_4.4.4_NOT_FOUND", "GCS15e_4.4.5_SUCCESS",
    "GCS15e_4.4.5_NOT_FOUND", "GCS16a_4.6.1_SUCCESS", "GCS16b_4.14_KRP_SUCCESS", "GCS17_4.8.1_SUCCESS",
    "GCS17_4.8.1_NOT_FOUND", "GCS18_4.10_SUCCESS", "GCS18_4.10_NOT_FOUND", "GCS20_6.22_SUCCESS",
    "GCS20r_6.2.10_SUCCESS", "GCS21b_4.13_SUCCESS", "GCS21b_4.13_NOT_FOUND", "GCS21d_6.2.3_SUCCESS",
    "GCS21f_4.11.1_SUCCESS", "GCS21f_4.11.1_NOT_FOUND", "GCS21k_6.2.3_SUCCESS", "GCS28_6.11_SUCCESS",
    "GCS31_14.1_SUCCESS", "GCS60_4.18_SUCCESS", "CS10a_6.13_SUCCESS", "CS10a_6.13_NOT_FOUND",
    "CS10b_6.13_SUCCESS", "CS10b_6.13_NOT_FOUND", "CS11_3.3_SUCCESS", "GCS40a_1.5_SUCCESS", "GCS40b_1.5_SUCCESS",
    "GCS40c_1.5_SUCCESS", "GCS40d_1.5_SUCCESS",
)
# GSME variants that no correct meter reproduces on the replay's date, with the reason given.
GSME_ANOMALIES = {
    "GCS15c_4.4.3_SUCCESS": "captured on 2015-02-01",
    "GCS20r_6.2.10_ERROR": "travels in the same direction",
}


def _by_target(results: dict[str, CaseResult], *targets: Target) -> list[CaseResult]:
    names = {target.value for target in targets}
    return [result for result in results.values() if result.target in names]


def test_every_command_file_is_reported(replay_results: dict[str, CaseResult], rtds_dir: Path) -> None:
    commands = list((rtds_dir / "RTDS-4.5.0").rglob("*_COMMAND_GBCS.HEX"))
    assert len(replay_results) == len(commands)
    assert all(result.outcome is Outcome.MATCH or result.detail for result in replay_results.values())


def test_hub_use_cases_match(replay_results: dict[str, CaseResult]) -> None:
    differing = {result.use_case: result.detail for result in _by_target(replay_results, Target.CHF, Target.GPF)
                 if result.outcome is Outcome.DIFFER}
    assert differing == {}
    for name in HUB_MATCHES:
        assert replay_results[name].outcome is Outcome.MATCH, (name, replay_results[name].detail)


def test_gpf_answers_gsme_data_reads(replay_results: dict[str, CaseResult]) -> None:
    for name in GPF_DATA_MATCHES:
        assert replay_results[name].target == Target.GPF.value, name
        assert replay_results[name].outcome is Outcome.MATCH, (name, replay_results[name].detail)


def test_esme_use_cases_match(replay_results: dict[str, CaseResult]) -> None:
    esme = _by_target(replay_results, Target.ESME)
    differing = {result.use_case: result.detail for result in esme if result.outcome is Outcome.DIFFER}
    assert differing == {}
    for name in ("ECS17a_4.2_SUCCESS", "ECS52_11.2_SUCCESS", "ECS70_6.11_SUCCESS", "CS06_11.3_IMMEDIATE_SUCCESS",
                 "ECS17b_4.1.1_TWIN_SUCCESS", "ECS35a_6.13_SUCCESS"):
        assert replay_results[name].outcome is Outcome.MATCH, replay_results[name].detail


def test_esme_error_variants_match_with_injected_faults(replay_results: dict[str, CaseResult]) -> None:
    errors = [result for result in _by_target(replay_results, Target.ESME)
              if "_ERROR" in result.use_case and result.outcome is Outcome.UNSUPPORTED
              and "made to fail" in result.detail]
    assert errors
    assert all(result.detail.endswith("the response matches") for result in errors)


def test_gsme_use_cases_match(replay_results: dict[str, CaseResult]) -> None:
    gsme = _by_target(replay_results, Target.GSME)
    differing = {result.use_case: result.detail for result in gsme if result.outcome is Outcome.DIFFER}
    assert differing == {}
    for name in GSME_MATCHES:
        assert replay_results[name].outcome is Outcome.MATCH, (name, replay_results[name].detail)


def test_gsme_error_variants_match_with_injected_faults(replay_results: dict[str, CaseResult]) -> None:
    errors = [result for result in _by_target(replay_results, Target.GSME)
              if "_ERROR" in result.use_case and "made to fail" in result.detail]
    assert len(errors) > 40
    assert all(result.outcome is Outcome.UNSUPPORTED for result in errors)
    assert all(result.detail.endswith("the response matches") for result in errors)
    assert "component 30 (0x0702/0x06) status 0xC0" in replay_results["GCS16a_4.6.1_ERROR"].detail


def test_gsme_reference_anomalies_are_reported(replay_results: dict[str, CaseResult]) -> None:
    for name, reason in GSME_ANOMALIES.items():
        assert replay_results[name].outcome is Outcome.UNSUPPORTED, name
        assert reason in replay_results[name].detail, name


def test_reference_frames_match_themselves(replayer: Replayer, rtds_dir: Path) -> None:
    """The comparison finds no difference between a reference response and itself."""
    for path in sorted((rtds_dir / "RTDS-4.5.0").rglob("*_RESPONSE_GBCS.HEX"))[::25]:
        data = bytes.fromhex(path.read_text().strip())
        tree = frame_tree(data, replayer.keys)
        assert first_difference(tree, tree) is None, path.name


def test_cli_json(rtds_dir: Path) -> None:
    result = CliRunner().invoke(main, ["replay", str(rtds_dir), "--json", "--use-case", "11.2_ECS52"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert {line["use_case"] for line in lines} == {"ECS52_11.2_ERROR", "ECS52_11.2_SUCCESS"}
    assert all(set(line) == {"use_case", "folder", "outcome", "detail"} for line in lines)
    assert {line["outcome"] for line in lines} <= {"match", "differ", "unsupported"}


def test_cli_table_and_keystore_beside(rtds_dir: Path) -> None:
    result = CliRunner().invoke(main, ["replay", str(rtds_dir / "RTDS-4.5.0"), "--use-case", "CCS01"])
    assert result.exit_code == 0, result.output
    assert "CCS01_8.11_SUCCESS" in result.output
    assert result.output.strip().splitlines()[-1].startswith("total 2:")
