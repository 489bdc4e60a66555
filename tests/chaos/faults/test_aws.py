"""AWS faults through the real boto3 client against moto's in-process AWS (``mock_aws``):
EC2 stop/start and terminate, FIS experiment start/stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from drillhall.chaos.faults.base import run_revert
from drillhall.chaos.faults.registry import build_fault
from drillhall.errors import ConfigError, FaultError

boto3 = pytest.importorskip("boto3", reason="boto3 (extra chaos-cloud) is not installed")
moto = pytest.importorskip("moto", reason="moto (extra dev) is not installed")

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def aws() -> Iterator[Any]:
    """One moto AWS for the module (its start-up dominates); tests use their own tags."""
    with pytest.MonkeyPatch.context() as env:
        # moto accepts any credentials; placeholders keep boto3 from looking further
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # AMI ids are not validated
        with moto.mock_aws():
            yield boto3.client("ec2", region_name=REGION)


def _instances(ec2: Any, n: int, tags: dict[str, str]) -> list[str]:
    out = ec2.run_instances(ImageId="ami-12c6146b", MinCount=n, MaxCount=n,
                            InstanceType="t3.micro",
                            TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                {"Key": k, "Value": v} for k, v in tags.items()]}])
    return [i["InstanceId"] for i in out["Instances"]]


def _state(ec2: Any, iid: str) -> str:
    [res] = ec2.describe_instances(InstanceIds=[iid])["Reservations"]
    return str(res["Instances"][0]["State"]["Name"])


def test_ec2_stop_by_tag_with_count_and_start_again(aws: Any) -> None:
    staging = _instances(aws, 3, {"env": "staging"})
    prod = _instances(aws, 1, {"env": "prod"})
    fault = build_fault("ec2-stop", {"tags": {"env": "staging"}, "count": 2, "seed": 5,
                                     "region": REGION, "poll_seconds": 0.05})
    assert not fault.local
    revert = fault.prepare()
    chosen = revert.params["instance_ids"]
    assert len(chosen) == 2 and set(chosen) <= set(staging)

    out = fault.inject(threading.Event())

    assert all(f"{i} stopped" in out for i in chosen)
    assert [_state(aws, i) for i in chosen] == ["stopped", "stopped"]
    [spared] = set(staging) - set(chosen)
    assert _state(aws, spared) == _state(aws, prod[0]) == "running"
    assert run_revert(revert).startswith("started ")
    assert {_state(aws, i) for i in chosen} <= {"pending", "running"}
    second = run_revert(revert)
    assert "started" not in second and "left as they are" in second


def test_ec2_stop_by_ids_reverted_before_inject_is_harmless(aws: Any) -> None:
    ids = _instances(aws, 2, {"app": "api"})
    fault = build_fault("ec2-stop", {"instance_ids": ids, "region": REGION})
    revert = fault.prepare()
    assert run_revert(revert).startswith("left as they are")
    assert {_state(aws, i) for i in ids} == {"running"}


def test_ec2_terminate_needs_irreversible(aws: Any) -> None:
    ids = _instances(aws, 1, {"app": "batch"})
    with pytest.raises(ConfigError, match="set irreversible: true"):
        build_fault("ec2-terminate", {"instance_ids": ids, "region": REGION}, where="x.yaml")
    fault = build_fault("ec2-terminate", {"instance_ids": ids, "region": REGION,
                                          "irreversible": True, "poll_seconds": 0.05})
    revert = fault.prepare()
    assert revert.kind == "fault.irreversible"
    assert "terminated" in fault.inject(threading.Event())
    assert _state(aws, ids[0]) == "terminated"
    assert "irreversible" in run_revert(revert)


def test_no_running_instance_matches(aws: Any) -> None:
    fault = build_fault("ec2-stop", {"tags": {"env": "nowhere"}, "region": REGION})
    with pytest.raises(FaultError, match="no running EC2 instance matches: instances tagged "
                                         "env=nowhere"):
        fault.prepare()


def _template(aws: Any) -> str:
    fis = boto3.client("fis", region_name=REGION)
    out = fis.create_experiment_template(
        clientToken=f"tmpl-{len(fis.list_experiment_templates()['experimentTemplates'])}",
        description="stop half the web tier",
        roleArn="arn:aws:iam::123456789012:role/fis-role",
        stopConditions=[{"source": "none"}],
        targets={"web": {"resourceType": "aws:ec2:instance", "selectionMode": "PERCENT(50)",
                         "resourceTags": {"app": "web"}}},
        actions={"stop": {"actionId": "aws:ec2:stop-instances", "targets": {"Instances":
                                                                             "web"}}})
    return str(out["experimentTemplate"]["id"])


def test_fis_start_and_stop(aws: Any) -> None:
    template = _template(aws)
    fault = build_fault("fis-start-experiment", {"template_id": template, "region": REGION})
    revert = fault.prepare()
    fis = boto3.client("fis", region_name=REGION)
    assert fis.list_experiments(experimentTemplateId=template)["experiments"] == []
    assert run_revert(revert) == "no experiment was started; nothing to stop"

    out = fault.inject(threading.Event())

    [exp] = fis.list_experiments(experimentTemplateId=template)["experiments"]
    assert out.startswith(f"started FIS experiment {exp['id']}")
    result = run_revert(revert)
    assert result.startswith(f"stopped FIS experiment {exp['id']}")
    status = fis.get_experiment(id=exp["id"])["experiment"]["state"]["status"]
    assert status in ("stopping", "stopped")


def test_fis_unknown_template(aws: Any) -> None:
    fault = build_fault("fis-start-experiment", {"template_id": "EXTnope", "region": REGION})
    with pytest.raises(FaultError, match="reading FIS experiment template EXTnope failed"):
        fault.prepare()
