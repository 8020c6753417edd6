"""A throw-away AWS account on 127.0.0.1: a moto server, seeded with notebooks from a CloudFormation template.

Used by the demo (`tools/dev.py demo`) and the end-to-end Prowler tests. Runs in the Prowler
environment (moto and boto3 come from there).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import yaml

ROLE_ARN = "arn:aws:iam::123456789012:role/notebook"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}
# Placeholders for template parameters: the moto account has no real network to point at.
PARAMETER_VALUES = {"AWS::EC2::Subnet::Id": "subnet-0example", "AWS::EC2::SecurityGroup::Id": "sg-0example"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoAccount:
    def __init__(self, endpoint: str, credentials: dict[str, str] | None = None):
        self.endpoint = endpoint
        # boto3 keyword arguments; the default keys belong to moto's default account 123456789012
        self.credentials = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

    @property
    def env_overrides(self) -> dict[str, str]:
        """What a `prowler aws` run needs to reach this account instead of AWS."""
        return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint, "AWS_DEFAULT_REGION": "us-east-1"}

    @property
    def env(self) -> dict[str, str]:
        """This process's environment, any other AWS settings removed, pointed at this account."""
        return {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **self.env_overrides}

    def client(self, service: str, region: str) -> Any:
        import boto3

        return boto3.client(service, region_name=region, endpoint_url=self.endpoint, **self.credentials)

    def assume(self, account_id: str, role_name: str = "OrganizationAccountAccessRole") -> "MotoAccount":
        """Another account of the same server: moto keeps each account ID's resources apart, and STS
        AssumeRole into a role ARN of that account (the role need not exist) returns its credentials."""
        answer = self.client("sts", "us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName="d9-tests")["Credentials"]
        return MotoAccount(self.endpoint, {"aws_access_key_id": answer["AccessKeyId"],
                                           "aws_secret_access_key": answer["SecretAccessKey"],
                                           "aws_session_token": answer["SessionToken"]})

    def enforce_iam(self) -> None:
        """From now on moto authenticates every request and evaluates the caller's IAM policies (off by
        default): requests need keys moto issued, and AssumeRole needs an identity policy allowing that role."""
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset-auth", data=b"0", method="POST",
                                                      headers={"Content-Type": "text/plain"}), timeout=10)

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10)

    def create_notebook(self, region: str, name: str, **settings: Any) -> None:
        self.client("sagemaker", region).create_notebook_instance(
            NotebookInstanceName=name, InstanceType=settings.pop("InstanceType", "ml.t3.medium"),
            RoleArn=settings.pop("RoleArn", ROLE_ARN), **settings)

    def seed_from_template(self, template: Path, region: str, stack_name: str | None = None) -> list[str]:
        """Create every AWS::SageMaker::NotebookInstance of a CloudFormation template; returns the names.
        With `stack_name`, each carries the tags CloudFormation sets on what a stack creates."""
        names = []
        for name, properties in notebooks_in_template(template).items():
            if stack_name:
                properties["Tags"] = [{"Key": "aws:cloudformation:stack-name", "Value": stack_name},
                                      {"Key": "aws:cloudformation:logical-id", "Value": name}]
            self.create_notebook(region, name, **properties)
            names.append(name)
        return names


def notebooks_in_template(template: Path) -> dict[str, dict[str, Any]]:
    """Notebook properties of a template, with each `!Ref` replaced by a placeholder for its parameter."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!Ref", lambda loader, node: {"Ref": loader.construct_scalar(node)})
    document = yaml.load(template.read_text(), Loader=Loader)
    parameters = document.get("Parameters", {})

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and "Ref" in value:
            kind = parameters.get(value["Ref"], {}).get("Type", "String")
            return PARAMETER_VALUES.get(kind, ROLE_ARN)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    keep = {"InstanceType", "RoleArn", "SubnetId", "SecurityGroupIds", "DirectInternetAccess", "RootAccess"}
    return {
        logical_id: {k: resolve(v) for k, v in (resource.get("Properties") or {}).items() if k in keep}
        for logical_id, resource in document["Resources"].items()
        if resource.get("Type") == "AWS::SageMaker::NotebookInstance"
    }


@contextmanager
def moto_server(record_to: Path | None = None) -> Iterator[MotoAccount]:
    """Start `moto_server` on a free loopback port; always stopped on exit.
    With `record_to`, moto appends every request it serves to that file (JSON lines)."""
    port = _free_port()
    server = Path(sys.executable).parent / "moto_server"
    env = {**os.environ, **({"MOTO_ENABLE_RECORDING": "True", "MOTO_RECORDER_FILEPATH": str(record_to)}
                            if record_to else {})}
    process = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on {endpoint}")
                time.sleep(0.2)
        yield MotoAccount(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
