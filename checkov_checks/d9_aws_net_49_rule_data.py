"""Rule data of D9.AWS.NET.49 for the Checkov check beside this file.

Generated from metadata/D9.AWS.NET.49.yaml by `python3 tools/dev.py generate`; do not edit. It registers
no check (Checkov imports every .py of the folder and finds nothing to run here)."""

CLOUDGUARD_ID = "D9.AWS.NET.49"
CHECKOV_ID = "D9_AWS_NET_49"
TITLE = "SageMaker notebook instances must not have direct internet access"
SEVERITY = "HIGH"
CATEGORY = "NETWORKING"
PASSING_VALUE = "Disabled"
TERRAFORM_RESOURCE = "aws_sagemaker_notebook_instance"
CLOUDFORMATION_RESOURCE = "AWS::SageMaker::NotebookInstance"
KUBERNETES_KIND = "NotebookInstance"
KUBERNETES_API_GROUPS = {
    "sagemaker.services.k8s.aws": {"controller": "AWS Controllers for Kubernetes (ACK)", "layout": "ack", "scope": "Namespaced", "versions": ["v1alpha1"]},
    "sagemaker.aws.upbound.io": {"controller": "Crossplane Upbound AWS provider, cluster-scoped", "layout": "crossplane", "scope": "Cluster", "versions": ["v1beta1", "v1beta2"]},
    "sagemaker.aws.m.upbound.io": {"controller": "Crossplane Upbound AWS provider, namespaced", "layout": "crossplane", "scope": "Namespaced", "versions": ["v1beta1"]},
}
CHECKOV_FRAMEWORKS = ["terraform", "terraform_json", "terraform_plan", "cloudformation", "serverless", "kubernetes", "kustomize", "helm"]
GUIDELINE = "https://gsl.dome9.com/D9.AWS.NET.49.html"
BENCHMARKS = {
    "AWS CSA CCM v.4.0.1": ["IVS-03", "IVS-09"],
    "AWS CloudGuard Best Practices": [],
    "AWS CloudGuard SOC2 based on AICPA TSC 2017": ["CC6.1", "CC6.6"],
    "AWS CloudGuard Well Architected Framework": ["SEC05-BP01", "SEC05-BP02"],
    "AWS HITRUST": ["01.m", "01.n"],
    "AWS HITRUST v11.0.0": ["01.m", "01.n"],
    "AWS ISO27001:2022": ["A.8.20", "A.8.22"],
    "AWS ITSG-33": ["AC-4", "SC-7"],
    "AWS MAS TRM Framework": ["11.2"],
    "AWS MITRE ATT&CK Framework v10": ["T1530", "T1567"],
    "AWS MITRE ATT&CK Framework v11.3": ["T1530", "T1567"],
    "AWS NIST 800-53 Rev 5": ["AC-4", "AC-4(21)", "SC-7", "SC-7(3)"],
    "CloudGuard AWS All Rules Ruleset": [],
}
