
# Every API call goes to the loopback endpoint with throwaway credentials; the
# skips stop the provider from asking real AWS who we are.
provider "aws" {
  region                      = local.settings.region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true

  endpoints {
    autoscaling = var.endpoint
    cloudwatch  = var.endpoint
    dynamodb    = var.endpoint
    ec2         = var.endpoint
    elbv2       = var.endpoint
    iam         = var.endpoint
    kms         = var.endpoint
    lambda      = var.endpoint
    logs        = var.endpoint
    s3          = var.endpoint
    scheduler   = var.endpoint
    sns         = var.endpoint
    sqs         = var.endpoint
    ssm         = var.endpoint
    sts         = var.endpoint
  }

  default_tags {
    tags = local.tags
  }
}
