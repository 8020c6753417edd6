"""The generated .metadata.json passes Prowler's own CheckMetadata model and carries the rule's content."""
import json

from prowler_harness import CHECK_DIR
from prowler.lib.check.models import CheckMetadata
from rule import PROWLER_CHECK, RULE

METADATA_JSON = CHECK_DIR / f"{PROWLER_CHECK}.metadata.json"


def test_layout_is_one_folder_per_check():
    assert sorted(p.name for p in CHECK_DIR.iterdir() if p.name != "__pycache__") == sorted(
        ["__init__.py", f"{PROWLER_CHECK}.py", f"{PROWLER_CHECK}.metadata.json"])


def test_validates_with_prowlers_model():
    model = CheckMetadata.parse_file(METADATA_JSON)
    assert model.CheckID == PROWLER_CHECK and model.ServiceName == "sagemaker"
    assert model.Severity == "high" and model.ResourceType == "AwsSageMakerNotebookInstance"
    assert len(model.CheckTitle) <= 150 and not model.CheckTitle.startswith("Ensure")
    assert len(model.Description) <= 400 and len(model.Risk) <= 400
    assert model.RelatedUrl == "" and model.Remediation.Recommendation.Url == ""
    assert model.RelatedTo == [RULE["engines"]["prowler"]["builtin_counterpart"]]
    # Check Point's public rule page first (RelatedUrl must stay empty, Recommendation.Url on Prowler's hub)
    assert model.AdditionalURLs[0] == RULE["public_url"] == "https://gsl.dome9.com/D9.AWS.NET.49.html"


def test_remediation_comes_from_the_metadata():
    code = json.loads(METADATA_JSON.read_text())["Remediation"]["Code"]
    assert "--direct-internet-access Disabled" in code["CLI"] and "--subnet-id" in code["CLI"]
    assert 'direct_internet_access = "Disabled"' in code["Terraform"] and "subnet_id" in code["Terraform"]
    assert "DirectInternetAccess: Disabled" in code["NativeIaC"] and "SubnetId" in code["NativeIaC"]
    assert "Delete" in code["Other"] and "Disable - Access the internet through a VPC" in code["Other"]
    assert "cannot be changed" in json.loads(METADATA_JSON.read_text())["Remediation"]["Recommendation"]["Text"]


def test_version_floor_matches_the_metadata(check_module):
    assert ".".join(map(str, check_module.MIN_PROWLER)) == RULE["engines"]["prowler"]["min_version"]
