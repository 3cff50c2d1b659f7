# The prod composition, planned against a mocked provider (the real 100-shard plan
# against moto is of envs/local, the same stack without the ALB).

mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-3" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_servicequotas_service_quota" {
    defaults = { value = 1000 }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-3:123456789012:other", url = "https://sqs.eu-west-3.amazonaws.com/123456789012/other" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-3:123456789012:v9-worker-pipe-alarms" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:eu-west-3:123456789012:layer:snakebatch-engine:1" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-3:123456789012:function:v9-worker-pipe-00" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::snake-batch-jobs" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:eu-west-3:123456789012:table/v9-jobs" }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::123456789012:instance-profile/snakebatch-gatherer" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-3:123456789012:targetgroup/sbg/abc" }
  }
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-3:123456789012:loadbalancer/app/snakebatch-gatherer/abc", dns_name = "gatherer.example.com" }
  }
}

# The queue and its DLQ get distinct ARNs and URLs (other queues keep the provider's
# default), so wiring one where the other belongs fails the assertions below.
override_resource {
  target          = module.snakebatch.module.queues.aws_sqs_queue.reports
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-3:123456789012:v9-reports", url = "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports" }
}
override_resource {
  target          = module.snakebatch.module.queues.aws_sqs_queue.dlq
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-3:123456789012:v9-reports-dlq", url = "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports-dlq" }
}

variables {
  layer_zip_path      = "../../modules/layer/tests/layer.zip"
  function_zip_path   = "../../modules/mesh/tests/function.zip"
  vpc_id              = "vpc-0abc"
  subnet_ids          = ["subnet-0aa", "subnet-0bb"]
  alb_subnet_ids      = ["subnet-0cc", "subnet-0dd"]
  ingress_cidr_blocks = ["0.0.0.0/0"]
  certificate_arn     = "arn:aws:acm:eu-west-3:123456789012:certificate/abc"
  wheel_s3_uri        = "s3://snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl"
  gatherer_docs_path  = "../../modules/snakebatch/tests/docs.tar.gz"
  wheelhouse_s3_uri   = "s3://snake-batch-releases/wheelhouse.tar"
  alarm_emails        = ["ops@example.com"]
  api_keys            = "ops:sha256:0000000000000000000000000000000000000000000000000000000000000000"
}

run "prod_is_the_full_stack_behind_https" {
  command = plan

  assert {
    condition     = length(output.function_names) == 100 && output.function_names[99] == "v9-worker-pipe-99"
    error_message = "Prod must run the 100 shards of settings.json."
  }
  assert {
    condition     = output.gatherer_url == "https://gatherer.example.com"
    error_message = "Prod must put the gatherer behind the HTTPS load balancer."
  }
  assert {
    condition     = output.shard_environment["SNAKEBATCH_REPORTS_QUEUE_URL"] == "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports" && output.shard_environment["SNAKEBATCH_REPORTS_DLQ_URL"] == "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports-dlq" && output.shard_environment["SNAKEBATCH_SHARD_COUNT"] == "100"
    error_message = "Shards must be told the queue URL, the DLQ URL (each under its own variable) and the shard count."
  }
}

# What python -m layers.build + terraform apply does: no URIs given, the built wheel and
# docs tarball (fixtures here, build/gatherer/ by default) are uploaded and used.
run "prod_uploads_the_built_gatherer_artefacts" {
  command = plan

  variables {
    wheel_s3_uri        = ""
    gatherer_wheel_path = "../../modules/snakebatch/tests/snakebatch-0.0.0-py3-none-any.whl"
  }

  assert {
    condition = output.gatherer_artifacts == {
      wheel_s3_uri      = "s3://snakebatch-jobs-123456789012-eu-west-3/artifacts/gatherer/${filemd5("../../modules/snakebatch/tests/snakebatch-0.0.0-py3-none-any.whl")}/snakebatch-0.0.0-py3-none-any.whl"
      docs_s3_uri       = "s3://snakebatch-jobs-123456789012-eu-west-3/artifacts/gatherer/${filemd5("../../modules/snakebatch/tests/docs.tar.gz")}/docs.tar.gz"
      wheelhouse_s3_uri = "s3://snake-batch-releases/wheelhouse.tar"
    }
    error_message = "Prod must install the uploaded wheel and serve the uploaded docs."
  }
}

run "prod_requires_an_alarm_subscriber" {
  command = plan

  variables {
    alarm_emails = []
  }

  expect_failures = [var.alarm_emails]
}
