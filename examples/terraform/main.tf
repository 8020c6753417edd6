# Examples for D9.AWS.NET.49, reused by the demo, the docs and the tests.
# The resource name states the expected verdict: pass_* PASSES, fail_* FAILS.

resource "aws_vpc" "ml" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.ml.id
  cidr_block = "10.20.1.0/24"
}

resource "aws_security_group" "notebook" {
  name   = "notebook"
  vpc_id = aws_vpc.ml.id
}

# Good: in a VPC subnet, direct internet access disabled.
resource "aws_sagemaker_notebook_instance" "pass_private_notebook" {
  name                   = "private-notebook"
  role_arn               = "arn:aws:iam::123456789012:role/notebook"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.private.id
  security_groups        = [aws_security_group.notebook.id]
  direct_internet_access = "Disabled"
}

# Bad: the setting is omitted, and AWS defaults to Enabled.
resource "aws_sagemaker_notebook_instance" "fail_default_internet" {
  name          = "default-notebook"
  role_arn      = "arn:aws:iam::123456789012:role/notebook"
  instance_type = "ml.t3.medium"
}

# Bad: direct internet access explicitly enabled.
resource "aws_sagemaker_notebook_instance" "fail_internet_enabled" {
  name                   = "public-notebook"
  role_arn               = "arn:aws:iam::123456789012:role/notebook"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.private.id
  security_groups        = [aws_security_group.notebook.id]
  direct_internet_access = "Enabled"
}

# Bad: Disabled without a subnet; AWS rejects this, the notebook never reaches a VPC.
resource "aws_sagemaker_notebook_instance" "fail_disabled_without_subnet" {
  name                   = "no-vpc-notebook"
  role_arn               = "arn:aws:iam::123456789012:role/notebook"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Disabled"
}
