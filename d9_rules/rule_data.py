"""Rule data of D9.AWS.NET.49 for the d9_rules package (Prowler side).

Generated from metadata/D9.AWS.NET.49.yaml by `python3 tools/dev.py generate`; do not edit."""

CLOUDGUARD_ID = 'D9.AWS.NET.49'
PROWLER_CHECK_ID = 'sagemaker_notebook_instance_direct_internet_access_disabled'
PROWLER_MIN_VERSION = (5, 41)
PROWLER_FRAMEWORK = 'cloudguard_d9_aws_net_49_aws'
