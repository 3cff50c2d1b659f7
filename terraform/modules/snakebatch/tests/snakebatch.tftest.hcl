# The composed stack, wired from settings.json, planned against a mocked provider.

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
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-3:123456789012:function:v9-worker-pipe-00" }
  }
  mock_data "aws_servicequotas_service_quota" {
    defaults = { value = 1000 }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0" }
  }
}

# The queue and its DLQ get distinct ARNs and URLs, so wiring one where the other
# belongs fails the assertions below.
override_resource {
  target          = module.queues.aws_sqs_queue.reports
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-3:123456789012:v9-reports", url = "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports" }
}
override_resource {
  target          = module.queues.aws_sqs_queue.dlq
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-3:123456789012:v9-reports-dlq", url = "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports-dlq" }
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
    condition     = output.shard_environment[var.settings.env.reports_queue_url] == "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports" && output.shard_environment[var.settings.env.reports_dlq_url] == "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports-dlq"
    error_message = "Shards must be told the reports queue and the DLQ, each under its own variable."
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

# The gatherer's wheel and docs tarball (build/gatherer/) are uploaded by the stack.
# The fixtures are stand-ins with the right names; only their bytes' MD5 matters here.
run "built_artefacts_are_uploaded_and_the_gatherer_reads_exactly_them" {
  command = plan

  variables {
    api_keys        = "ops:sha256:1111111111111111111111111111111111111111111111111111111111111111"
    shard_count     = 2
    create_gatherer = true
    gatherer = {
      vpc_id                   = "vpc-0abc"
      subnet_ids               = ["subnet-0aa"]
      cloud_init_template_path = "../../../gatherer/cloud-init.yaml.tftpl"
      systemd_unit_path        = "../../../gatherer/snakebatch-gatherer.service"
      wheel_path               = "tests/snakebatch-0.0.0-py3-none-any.whl"
      wheelhouse_s3_uri        = "s3://snake-batch-releases/wheelhouse.tar"
      api_keys_parameter       = "/snakebatch/api-keys"
      docs_path                = "tests/docs.tar.gz"
    }
  }

  assert {
    condition     = aws_s3_object.gatherer_wheel[0].bucket == "snakebatch-jobs-123456789012-eu-west-3" && aws_s3_object.gatherer_wheel[0].key == "artifacts/gatherer/${filemd5("tests/snakebatch-0.0.0-py3-none-any.whl")}/snakebatch-0.0.0-py3-none-any.whl"
    error_message = "The wheel must land in the job bucket under artifacts/, keyed by its MD5 and keeping the name pip needs."
  }
  assert {
    condition     = aws_s3_object.gatherer_docs[0].key == "artifacts/gatherer/${filemd5("tests/docs.tar.gz")}/docs.tar.gz" && aws_s3_object.gatherer_docs[0].source == "tests/docs.tar.gz"
    error_message = "The docs tarball must land under artifacts/, keyed by its MD5."
  }
  assert {
    condition     = aws_s3_object.gatherer_wheel[0].source_hash == filemd5("tests/snakebatch-0.0.0-py3-none-any.whl") && aws_s3_object.gatherer_docs[0].source_hash == filemd5("tests/docs.tar.gz")
    error_message = "A changed file must show in the plan through source_hash."
  }
  assert {
    condition = output.gatherer_artifacts == {
      wheel_s3_uri      = "s3://snakebatch-jobs-123456789012-eu-west-3/${aws_s3_object.gatherer_wheel[0].key}"
      docs_s3_uri       = "s3://snakebatch-jobs-123456789012-eu-west-3/${aws_s3_object.gatherer_docs[0].key}"
      wheelhouse_s3_uri = "s3://snake-batch-releases/wheelhouse.tar"
    }
    error_message = "The gatherer must be given the uploaded objects' URIs."
  }
  assert {
    condition = module.gatherer[0].release_artefact_arns == [
      "arn:aws:s3:::snakebatch-jobs-123456789012-eu-west-3/${aws_s3_object.gatherer_wheel[0].key}",
      "arn:aws:s3:::snake-batch-releases/wheelhouse.tar",
      "arn:aws:s3:::snakebatch-jobs-123456789012-eu-west-3/${aws_s3_object.gatherer_docs[0].key}",
    ]
    error_message = "The gatherer's role must read exactly the uploaded wheel and docs."
  }
}

run "explicit_uris_win_and_nothing_is_uploaded" {
  command = plan

  variables {
    api_keys_parameter_exists = true
    shard_count               = 2
    create_gatherer           = true
    gatherer = {
      vpc_id                   = "vpc-0abc"
      subnet_ids               = ["subnet-0aa"]
      cloud_init_template_path = "../../../gatherer/cloud-init.yaml.tftpl"
      systemd_unit_path        = "../../../gatherer/snakebatch-gatherer.service"
      wheel_path               = "tests/snakebatch-0.0.0-py3-none-any.whl"
      wheelhouse_s3_uri        = "s3://snake-batch-releases/wheelhouse.tar"
      api_keys_parameter       = "/snakebatch/api-keys"
      wheel_s3_uri             = "s3://snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl"
    }
  }

  assert {
    condition     = length(aws_s3_object.gatherer_wheel) == 0 && length(aws_s3_object.gatherer_docs) == 0
    error_message = "Given URIs (and no docs_path) must upload nothing."
  }
  assert {
    condition     = output.gatherer_artifacts == { wheel_s3_uri = "s3://snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl", docs_s3_uri = "", wheelhouse_s3_uri = "s3://snake-batch-releases/wheelhouse.tar" }
    error_message = "A given wheel_s3_uri must reach the gatherer unchanged."
  }
  assert {
    condition     = module.gatherer[0].release_artefact_arns == ["arn:aws:s3:::snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl", "arn:aws:s3:::snake-batch-releases/wheelhouse.tar"]
    error_message = "The gatherer's role must read only the given wheel."
  }
}

run "docs_upload_without_a_gatherer" {
  command = plan

  variables {
    shard_count = 1
    gatherer = {
      docs_path = "tests/docs.tar.gz"
    }
  }

  assert {
    condition     = length(aws_s3_object.gatherer_docs) == 1 && length(aws_s3_object.gatherer_wheel) == 0 && output.gatherer_artifacts.wheel_s3_uri == ""
    error_message = "A docs_path alone uploads the docs, gatherer or not."
  }
}

run "rejects_a_gatherer_without_a_wheel" {
  command = plan

  variables {
    create_gatherer = true
    gatherer = {
      vpc_id                   = "vpc-0abc"
      subnet_ids               = ["subnet-0aa"]
      cloud_init_template_path = "../../../gatherer/cloud-init.yaml.tftpl"
      systemd_unit_path        = "../../../gatherer/snakebatch-gatherer.service"
    }
  }

  expect_failures = [var.gatherer]
}

run "rejects_a_platform_wheel" {
  command = plan

  variables {
    gatherer = {
      wheel_path = "build/gatherer/snakebatch-0.1.0-cp311-cp311-linux_x86_64.whl"
    }
  }

  expect_failures = [var.gatherer]
}

run "rejects_docs_that_are_not_a_tarball" {
  command = plan

  variables {
    gatherer = {
      docs_path = "docs/paper.md"
    }
  }

  expect_failures = [var.gatherer]
}

run "api_keys_become_the_securestring_the_gatherer_reads" {
  command = plan

  variables {
    shard_count     = 1
    create_gatherer = true
    api_keys        = "ops:sha256:2222222222222222222222222222222222222222222222222222222222222222\n# comment\n"
    gatherer = {
      vpc_id                   = "vpc-0abc"
      subnet_ids               = ["subnet-0aa"]
      cloud_init_template_path = "../../../gatherer/cloud-init.yaml.tftpl"
      systemd_unit_path        = "../../../gatherer/snakebatch-gatherer.service"
      wheel_s3_uri             = "s3://snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl"
      wheelhouse_s3_uri        = "s3://snake-batch-releases/wheelhouse.tar"
      api_keys_parameter       = "/snakebatch/api-keys-test"
    }
  }

  assert {
    condition     = aws_ssm_parameter.api_keys[0].type == "SecureString" && aws_ssm_parameter.api_keys[0].name == "/snakebatch/api-keys-test"
    error_message = "Terraform must store the keys file as the SecureString the gatherer reads."
  }
}

run "refuses_a_gatherer_without_api_keys" {
  command = plan

  variables {
    shard_count     = 1
    create_gatherer = true
    gatherer = {
      vpc_id                   = "vpc-0abc"
      subnet_ids               = ["subnet-0aa"]
      cloud_init_template_path = "../../../gatherer/cloud-init.yaml.tftpl"
      systemd_unit_path        = "../../../gatherer/snakebatch-gatherer.service"
      wheel_s3_uri             = "s3://snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl"
      wheelhouse_s3_uri        = "s3://snake-batch-releases/wheelhouse.tar"
    }
  }

  expect_failures = [terraform_data.api_keys_check]
}

run "rejects_raw_keys" {
  command = plan

  variables {
    api_keys = "sk-live-not-a-hash"
  }

  expect_failures = [var.api_keys]
}

run "quota_check_passes_an_account_that_can_run_the_stack" {
  command = plan

  variables {
    check_account_quotas = true
  }

  assert {
    condition     = length(terraform_data.account_quotas) == 1
    error_message = "check_account_quotas must read the quota and check it."
  }
}

run "quota_check_refuses_a_fresh_account_before_creating_anything" {
  command = plan

  variables {
    check_account_quotas = true
  }

  override_data {
    target = data.aws_servicequotas_service_quota.lambda_concurrency[0]
    values = { value = 10 }
  }

  expect_failures = [terraform_data.account_quotas[0]]
}

run "quota_check_counts_reservations" {
  command = plan

  variables {
    check_account_quotas      = true
    reserved_concurrency      = 9
    account_concurrency_limit = 1000
  }

  expect_failures = [terraform_data.account_quotas[0]]
}
