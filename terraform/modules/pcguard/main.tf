# The provisioned-concurrency guard: what makes "off" happen even when a laptop, a
# schedule or a role fails. `pc on` creates one-shot schedules that assume the
# scheduler role below and, after their retries, land in the dead-letter queue; the
# sweeper, run by a rate() schedule, turns off whatever no pending schedule covers.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account    = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  arn_prefix = "arn:${data.aws_partition.current.partition}"

  role_name     = "${var.function_prefix}-pc-auto-off"
  dlq_name      = "${var.function_prefix}-pc-auto-off-dlq"
  sweeper_name  = "${var.function_prefix}-pc-sweeper"
  sweeper_arn   = "${local.arn_prefix}:lambda:${local.region}:${local.account}:function:${local.sweeper_name}"
  schedules_arn = "${local.arn_prefix}:scheduler:${local.region}:${local.account}:schedule/default/pc-off-${var.function_prefix}-*"

  scheduler_statements = [
    {
      Sid      = "TurnOffTheLiveAliases"
      Effect   = "Allow"
      Action   = ["lambda:DeleteProvisionedConcurrencyConfig"]
      Resource = var.alias_arns
    },
    {
      Sid      = "RunTheSweeper"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = [local.sweeper_arn]
    },
    {
      Sid      = "DeadLetterFailedSchedules"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = [aws_sqs_queue.dlq.arn]
    },
  ]

  sweeper_statements = [
    {
      Sid      = "ReadAndTurnOffShardConfigs"
      Effect   = "Allow"
      Action   = ["lambda:GetProvisionedConcurrencyConfig", "lambda:DeleteProvisionedConcurrencyConfig"]
      Resource = var.alias_arns
    },
    {
      Sid      = "ReadPendingOffs"
      Effect   = "Allow"
      Action   = ["scheduler:GetSchedule"]
      Resource = [local.schedules_arn]
    },
    {
      Sid       = "PublishOldestConfigAge"
      Effect    = "Allow"
      Action    = ["cloudwatch:PutMetricData"]
      Resource  = ["*"]
      Condition = { StringEquals = { "cloudwatch:namespace" = var.metric_namespace } }
    },
    {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.sweeper.arn}:*"]
    },
  ]
}

resource "aws_sqs_queue" "dlq" {
  name                      = local.dlq_name
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_iam_role" "scheduler" {
  name        = local.role_name
  description = "EventBridge Scheduler: turns off the shards' provisioned concurrency and runs the sweeper"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "scheduler.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = local.account } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "snakebatch-pc-auto-off"
  role   = aws_iam_role.scheduler.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.scheduler_statements })
}

resource "aws_iam_role" "sweeper" {
  name        = "${local.sweeper_name}-exec"
  description = "Execution role of the provisioned-concurrency sweeper"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = local.account } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "sweeper" {
  name   = "snakebatch-pc-sweeper"
  role   = aws_iam_role.sweeper.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.sweeper_statements })
}

resource "aws_cloudwatch_log_group" "sweeper" {
  #checkov:skip=CKV_AWS_158:Sweeper logs carry function names and counts only; the service key encrypts them.
  #checkov:skip=CKV_AWS_338:A sweep log matters for days, not a year; the alarms carry the lasting signal.
  name              = "/aws/lambda/${local.sweeper_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "sweeper" {
  #checkov:skip=CKV_AWS_116:A rate() schedule invokes the sweeper synchronously; its failures go to the schedule's DLQ and the Errors alarm.
  #checkov:skip=CKV_AWS_117:The sweeper reaches only regional AWS APIs (Lambda, Scheduler, CloudWatch); a VPC would add NAT cost for no isolation gain.
  #checkov:skip=CKV_AWS_173:Environment holds names and ARNs only, no secrets; the AWS-managed key encrypts it at rest.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile outside this stack; the zip hash pins what is deployed.
  #checkov:skip=CKV_AWS_50:X-Ray tracing of a short periodic sweep would cost more than it shows.
  function_name                  = local.sweeper_name
  description                    = "SnakeBatch: turns off provisioned concurrency no pending auto-off covers"
  role                           = aws_iam_role.sweeper.arn
  handler                        = "functions/handler_sweep.handler"
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  memory_size                    = 256
  timeout                        = 120
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  layers                         = [var.layer_arn]
  reserved_concurrent_executions = 1

  environment {
    variables = merge(var.environment_variables, {
      SNAKEBATCH_PC_OFF_ROLE_ARN     = aws_iam_role.scheduler.arn
      SNAKEBATCH_PC_METRIC_NAMESPACE = var.metric_namespace
    })
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.sweeper, aws_iam_role_policy.sweeper]
}

resource "aws_scheduler_schedule" "sweep" {
  #checkov:skip=CKV_AWS_297:The schedule's only payload is {"sweep": true}; a customer-managed key would protect nothing and add a key to manage.
  name                = "${local.sweeper_name}-rate"
  description         = "Sweep provisioned concurrency no live session covers"
  schedule_expression = "rate(${var.sweep_period_seconds / 60} minutes)"
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.sweeper.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ sweep = true })

    dead_letter_config {
      arn = aws_sqs_queue.dlq.arn
    }

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 600
    }
  }
}
