# Distinct mocked ARNs for the queue, the roles and the function, so a statement or a
# target wired to the wrong one fails.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "210987654321" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-3" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-3:210987654321:mock-pc-dlq" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::210987654321:role/mock-role" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-3:210987654321:function:mock-sweeper" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-3:210987654321:log-group:mock-sweeper-logs" }
  }
}

variables {
  function_prefix       = "v9-worker-pipe"
  alias_arns            = [for s in range(3) : format("arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-%02d:live", s)]
  package_path          = "tests/function.zip"
  layer_arn             = "arn:aws:lambda:eu-west-3:210987654321:layer:snakebatch-engine:1"
  runtime               = "python3.11"
  architecture          = "x86_64"
  environment_variables = { SNAKEBATCH_FUNCTION_PREFIX = "v9-worker-pipe", SNAKEBATCH_SHARD_COUNT = "3" }
}

run "names_match_what_pc_on_derives" {
  command = plan

  assert {
    condition     = aws_iam_role.scheduler.name == "v9-worker-pipe-pc-auto-off" && aws_sqs_queue.dlq.name == "v9-worker-pipe-pc-auto-off-dlq" && aws_lambda_function.sweeper.function_name == "v9-worker-pipe-pc-sweeper"
    error_message = "snakebatch.ops.toggle derives {prefix}-pc-auto-off, {prefix}-pc-auto-off-dlq and {prefix}-pc-sweeper."
  }
  assert {
    condition     = jsondecode(aws_iam_role.scheduler.assume_role_policy).Statement[0].Principal == { Service = "scheduler.amazonaws.com" } && jsondecode(aws_iam_role.scheduler.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "210987654321"
    error_message = "Only EventBridge Scheduler in this account may assume the auto-off role."
  }
  assert {
    condition     = aws_scheduler_schedule.sweep.schedule_expression == "rate(15 minutes)"
    error_message = "The sweeper runs every 15 minutes by default."
  }
  assert {
    condition     = aws_lambda_function.sweeper.handler == "functions/handler_sweep.handler" && aws_lambda_function.sweeper.environment[0].variables["SNAKEBATCH_SHARD_COUNT"] == "3"
    error_message = "The sweeper runs handler_sweep with the shards' environment."
  }
}

run "roles_reach_only_the_live_aliases_and_their_own_resources" {
  command = apply

  assert {
    condition = jsondecode(aws_iam_role_policy.scheduler.policy).Statement == [
      {
        Sid      = "TurnOffTheLiveAliases"
        Effect   = "Allow"
        Action   = ["lambda:DeleteProvisionedConcurrencyConfig"]
        Resource = ["arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-00:live", "arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-01:live", "arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-02:live"]
      },
      {
        Sid      = "RunTheSweeper"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = ["arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-pc-sweeper"]
      },
      {
        Sid      = "DeadLetterFailedSchedules"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["arn:aws:sqs:eu-west-3:210987654321:mock-pc-dlq"]
      },
    ]
    error_message = "The scheduler role may turn off the live aliases, run the sweeper and dead-letter to its DLQ; nothing else."
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.sweeper.policy).Statement == [
      {
        Sid      = "ReadAndTurnOffShardConfigs"
        Effect   = "Allow"
        Action   = ["lambda:GetProvisionedConcurrencyConfig", "lambda:DeleteProvisionedConcurrencyConfig"]
        Resource = ["arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-00:live", "arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-01:live", "arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-02:live"]
      },
      {
        Sid      = "ReadPendingOffs"
        Effect   = "Allow"
        Action   = ["scheduler:GetSchedule"]
        Resource = ["arn:aws:scheduler:eu-west-3:210987654321:schedule/default/pc-off-v9-worker-pipe-*"]
      },
      {
        Sid       = "PublishOldestConfigAge"
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = ["*"]
        Condition = { StringEquals = { "cloudwatch:namespace" = "SnakeBatch" } }
      },
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-3:210987654321:log-group:mock-sweeper-logs:*"]
      },
    ]
    error_message = "The sweeper may read and turn off the live aliases, read the pending offs, publish its metric and log; nothing else."
  }
  assert {
    condition     = aws_scheduler_schedule.sweep.target[0].arn == "arn:aws:lambda:eu-west-3:210987654321:function:mock-sweeper" && aws_scheduler_schedule.sweep.target[0].dead_letter_config[0].arn == "arn:aws:sqs:eu-west-3:210987654321:mock-pc-dlq" && aws_scheduler_schedule.sweep.target[0].role_arn == "arn:aws:iam::210987654321:role/mock-role"
    error_message = "The sweep schedule must run the sweeper as the scheduler role and dead-letter to the DLQ."
  }
  assert {
    condition     = aws_lambda_function.sweeper.environment[0].variables["SNAKEBATCH_PC_OFF_ROLE_ARN"] == "arn:aws:iam::210987654321:role/mock-role"
    error_message = "The sweeper must be told the scheduler role (PcToggle derives the DLQ from it)."
  }
}

run "rejects_a_function_arn_without_alias" {
  command = plan
  variables {
    alias_arns = ["arn:aws:lambda:eu-west-3:210987654321:function:v9-worker-pipe-00"]
  }
  expect_failures = [var.alias_arns]
}

run "rejects_a_sweep_period_in_seconds" {
  command = plan
  variables {
    sweep_period_seconds = 90
  }
  expect_failures = [var.sweep_period_seconds]
}
