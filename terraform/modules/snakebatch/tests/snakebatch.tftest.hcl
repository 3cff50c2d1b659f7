# The composed stack, wired from settings.json, planned against a mocked provider.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-3" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-3:123456789012:v9-reports-dlq", url = "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-3:123456789012:v9-worker-pipe-alarms" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:eu-west-3:123456789012:layer:snakebatch-engine:1" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::snake-batch-jobs" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:eu-west-3:123456789012:table/v9-jobs" }
  }
}

variables {
  settings          = jsondecode(file("../../../snakebatch/settings.json"))
  layer_zip_path    = "../layer/tests/layer.zip"
  function_zip_path = "../mesh/tests/function.zip"
  create_gatherer   = false
}

# The 100-shard default of the composed stack is planned for real against moto
# (tests/terraform/test_apply_local.py); here 3 shards keep the mock plan quick.
run "settings_drive_the_whole_stack" {
  command = plan

  variables {
    shard_count = 3
  }

  assert {
    condition     = output.function_names == [for i in range(3) : format("%s-%02d", var.settings.function_prefix, i)]
    error_message = "The stack must have shard_count shards named from settings.function_prefix."
  }
  assert {
    condition     = toset(keys(output.shard_environment)) == toset([for k in ["backend", "function_prefix", "shard_count", "bucket", "reports_queue_url", "reports_dlq_url", "job_table"] : var.settings.env[k]])
    error_message = "Shard environment variables must be named by settings.env."
  }
  assert {
    condition     = toset(keys(output.shard_alarm_names)) == toset(output.function_names)
    error_message = "Every shard must be wired to the alarms."
  }
  assert {
    condition     = output.alias_name == var.settings.alias
    error_message = "The alias must be settings.alias."
  }
  assert {
    condition     = length(module.gatherer) == 0 && output.gatherer_autoscaling_group == null
    error_message = "create_gatherer = false must make no gatherer."
  }
}

run "suffix_renames_everything" {
  command = plan

  variables {
    name_suffix = "-dev"
    shard_count = 2
  }

  assert {
    condition     = output.function_names == ["${var.settings.function_prefix}-dev-00", "${var.settings.function_prefix}-dev-01"]
    error_message = "The suffix must rename the shards."
  }
  assert {
    condition     = output.shard_environment[var.settings.env.function_prefix] == "${var.settings.function_prefix}-dev" && output.shard_environment[var.settings.env.shard_count] == "2"
    error_message = "Shards must be told the renamed prefix and the shard count."
  }
}
