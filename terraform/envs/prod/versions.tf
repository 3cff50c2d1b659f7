terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 6.0.0"
    }
  }
}

# Partial configuration: bucket, key and lock table come from
# `terraform init -backend-config=prod.s3.tfbackend` (see docs/terraform.md).
terraform {
  backend "s3" {}
}
