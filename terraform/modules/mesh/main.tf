locals {
  function_names = [for shard in range(var.shard_count) : format("%s-%02d", var.function_prefix, shard)]
  package_hash   = filebase64sha256(var.package_path)
}

resource "aws_lambda_function" "shard" {
  #checkov:skip=CKV_AWS_116:Async failures go to the on-failure destination of aws_lambda_function_event_invoke_config, which supersedes a function DLQ.
  #checkov:skip=CKV_AWS_117:Shards reach only regional AWS APIs (S3, SQS, DynamoDB, Lambda); a VPC would add NAT cost and cold-start latency for no isolation gain.
  #checkov:skip=CKV_AWS_173:Environment holds resource names and URLs only, no secrets; the AWS-managed key encrypts it at rest.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile outside this stack; the zip hash pins what is deployed.
  #checkov:skip=CKV_AWS_115:Reserved concurrency is an optional input (reserved_concurrency); default shards share the account pool.
  count = var.shard_count

  function_name    = local.function_names[count.index]
  description      = "SnakeBatch shard ${count.index} of ${var.shard_count}: divide, conquer, leaf and predict roles"
  role             = aws_iam_role.shard.arn
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  filename         = var.package_path
  source_code_hash = local.package_hash
  layers           = [var.layer.arn]
  publish          = true

  reserved_concurrent_executions = coalesce(var.reserved_concurrency, -1)

  environment {
    variables = var.environment_variables
  }

  tracing_config {
    mode = var.tracing_mode
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = contains(var.layer.compatible_runtimes, var.runtime)
      error_message = "The layer was built for ${join(", ", var.layer.compatible_runtimes)}, not the shards' runtime ${var.runtime}."
    }
    precondition {
      condition     = contains(var.layer.compatible_architectures, var.architecture)
      error_message = "The layer was built for ${join(", ", var.layer.compatible_architectures)}, not the shards' architecture ${var.architecture}."
    }
  }

  depends_on = [
    aws_cloudwatch_log_group.shard,
    aws_iam_role_policy.shard,
  ]
}

resource "aws_lambda_alias" "live" {
  count = var.shard_count

  name             = var.alias_name
  description      = "Stable target for provisioned concurrency toggles"
  function_name    = aws_lambda_function.shard[count.index].function_name
  function_version = aws_lambda_function.shard[count.index].version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  count = var.provisioned_concurrency > 0 ? var.shard_count : 0

  function_name                     = aws_lambda_alias.live[count.index].function_name
  qualifier                         = aws_lambda_alias.live[count.index].name
  provisioned_concurrent_executions = var.provisioned_concurrency
}
