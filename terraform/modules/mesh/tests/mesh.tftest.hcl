# Plans the mesh against a mocked provider: no AWS, no credentials.

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
}

variables {
  function_prefix            = "v9-worker-pipe"
  package_path               = "tests/function.zip"
  runtime                    = "python3.11"
  architecture               = "x86_64"
  alias_name                 = "live"
  on_failure_destination_arn = "arn:aws:sqs:eu-west-3:123456789012:v9-failures"
  bucket_arn                 = "arn:aws:s3:::snake-batch-jobs"
  reports_queue_arn          = "arn:aws:sqs:eu-west-3:123456789012:v9-reports"
  job_table_arn              = "arn:aws:dynamodb:eu-west-3:123456789012:table/v9-jobs"
  layer = {
    arn                      = "arn:aws:lambda:eu-west-3:123456789012:layer:snakebatch-engine:1"
    compatible_runtimes      = ["python3.11"]
    compatible_architectures = ["x86_64"]
  }
}

run "defaults_make_100_shards" {
  command = plan

  assert {
    condition     = length(aws_lambda_function.shard) == 100
    error_message = "The default mesh must have 100 shard functions."
  }
  assert {
    condition     = aws_lambda_function.shard[0].function_name == "v9-worker-pipe-00" && aws_lambda_function.shard[7].function_name == "v9-worker-pipe-07" && aws_lambda_function.shard[99].function_name == "v9-worker-pipe-99"
    error_message = "Shards must be named prefix-NN with two digits."
  }
  assert {
    condition     = length(distinct(aws_lambda_function.shard[*].function_name)) == 100
    error_message = "Shard names must be unique."
  }
  assert {
    condition = alltrue([for f in aws_lambda_function.shard :
      f.memory_size == 4096 && f.timeout == 300 && f.handler == "functions/handler_snake.handler" &&
      f.runtime == "python3.11" && f.architectures == tolist(["x86_64"]) && f.publish &&
      f.layers == tolist(["arn:aws:lambda:eu-west-3:123456789012:layer:snakebatch-engine:1"])
    ])
    error_message = "Every shard must run the one handler on the engine layer with 4096 MB, 300 s, python3.11, x86_64, published."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.shard : f.reserved_concurrent_executions == -1])
    error_message = "Without reserved_concurrency, shards must use the unreserved pool (-1)."
  }
  assert {
    condition     = length(aws_lambda_alias.live) == 100 && alltrue([for a in aws_lambda_alias.live : a.name == "live"])
    error_message = "Every shard must carry the alias live."
  }
  assert {
    condition     = length(aws_lambda_provisioned_concurrency_config.live) == 0
    error_message = "Provisioned concurrency must be off by default (the ops toggle turns it on)."
  }
  assert {
    condition     = length(aws_lambda_function_event_invoke_config.shard) == 200
    error_message = "Each shard needs an async config for both $LATEST and its alias."
  }
  assert {
    condition = alltrue([for c in aws_lambda_function_event_invoke_config.shard :
      c.maximum_retry_attempts == 1 && c.maximum_event_age_in_seconds == 900 &&
      c.destination_config[0].on_failure[0].destination == "arn:aws:sqs:eu-west-3:123456789012:v9-failures"
    ])
    error_message = "Async configs must send failures to the DLQ with the configured retries and event age."
  }
  assert {
    condition     = alltrue([for i, g in aws_cloudwatch_log_group.shard : g.name == "/aws/lambda/${format("v9-worker-pipe-%02d", i)}" && g.retention_in_days == 30])
    error_message = "Each shard must own a log group with a retention."
  }
}

run "iam_is_scoped_to_siblings_job_prefix_queue_and_table" {
  command = plan

  variables {
    shard_count = 2
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.shard.policy).Statement[0].Resource == ["arn:aws:lambda:eu-west-3:123456789012:function:v9-worker-pipe-??", "arn:aws:lambda:eu-west-3:123456789012:function:v9-worker-pipe-??:live"]
    error_message = "Shards may invoke only their two-digit siblings (and their alias)."
  }
  # The rendered policy JSON, statement by statement, against literals: a grant
  # dropped, widened or pointed at another resource fails here.
  assert {
    condition = jsondecode(aws_iam_role_policy.shard.policy) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "InvokeSiblingShards"
          Effect   = "Allow"
          Action   = ["lambda:InvokeFunction"]
          Resource = ["arn:aws:lambda:eu-west-3:123456789012:function:v9-worker-pipe-??", "arn:aws:lambda:eu-west-3:123456789012:function:v9-worker-pipe-??:live"]
        },
        {
          Sid      = "ReadJobsAndPredictions"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::snake-batch-jobs/jobs/*", "arn:aws:s3:::snake-batch-jobs/predict/*"]
        },
        {
          Sid      = "TellMissingFromDenied"
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = ["arn:aws:s3:::snake-batch-jobs"]
        },
        {
          Sid      = "WriteReportsAndAnswers"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["arn:aws:s3:::snake-batch-jobs/jobs/*/leaves/*", "arn:aws:s3:::snake-batch-jobs/jobs/*/spill/*", "arn:aws:s3:::snake-batch-jobs/predict/*/out-*"]
        },
        {
          Sid      = "SendReports"
          Effect   = "Allow"
          Action   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
          Resource = ["arn:aws:sqs:eu-west-3:123456789012:v9-reports"]
        },
        {
          Sid      = "UpdateJobTable"
          Effect   = "Allow"
          Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
          Resource = ["arn:aws:dynamodb:eu-west-3:123456789012:table/v9-jobs"]
        },
        {
          Sid      = "ReportFailedEvents"
          Effect   = "Allow"
          Action   = ["sqs:SendMessage"]
          Resource = ["arn:aws:sqs:eu-west-3:123456789012:v9-failures"]
        },
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["arn:aws:logs:eu-west-3:123456789012:log-group:/aws/lambda/v9-worker-pipe-??:*"]
        },
        {
          Sid      = "WriteTraces"
          Effect   = "Allow"
          Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
          Resource = ["*"]
        },
      ]
    }
    error_message = "The shard role's rendered policy must be exactly the reviewed statements."
  }
  assert {
    condition     = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.shard.policy).Statement : [for r in s.Resource : r != "*" || s.Sid == "WriteTraces"]])) && alltrue(flatten([for s in jsondecode(aws_iam_role_policy.shard.policy).Statement : [for a in s.Action : !endswith(a, "*")]]))
    error_message = "No statement may grant a wildcard action, nor a wildcard resource except X-Ray's unscopable writes."
  }
  assert {
    condition     = jsondecode(aws_iam_role.shard.assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"
    error_message = "Only Lambda may assume the shard role."
  }
}

run "sns_failure_destination_grants_publish" {
  command = plan

  variables {
    shard_count                = 3
    on_failure_destination_arn = "arn:aws:sns:eu-west-3:123456789012:v9-failures"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.shard.policy).Statement : s.Action if s.Sid == "ReportFailedEvents"][0] == ["sns:Publish"]
    error_message = "An SNS failure destination needs sns:Publish, nothing else."
  }
}

run "passthrough_tracing_grants_no_xray" {
  command = plan

  variables {
    shard_count  = 2
    tracing_mode = "PassThrough"
  }

  assert {
    condition     = !contains([for st in jsondecode(aws_iam_role_policy.shard.policy).Statement : st.Sid], "WriteTraces")
    error_message = "Without active tracing the shards need no X-Ray permissions."
  }
}

run "reserved_and_provisioned_concurrency" {
  command = plan

  variables {
    shard_count             = 4
    reserved_concurrency    = 50
    provisioned_concurrency = 2
  }

  assert {
    condition     = length(aws_lambda_function.shard) == 4 && alltrue([for f in aws_lambda_function.shard : f.reserved_concurrent_executions == 50])
    error_message = "reserved_concurrency must apply to every shard."
  }
  assert {
    condition     = length(aws_lambda_provisioned_concurrency_config.live) == 4 && alltrue([for p in aws_lambda_provisioned_concurrency_config.live : p.qualifier == "live" && p.provisioned_concurrent_executions == 2])
    error_message = "Provisioned concurrency must attach to every shard's alias."
  }
}

run "layer_built_for_another_architecture_is_refused" {
  command = plan

  variables {
    shard_count = 2
    layer = {
      arn                      = "arn:aws:lambda:eu-west-3:123456789012:layer:snakebatch-engine:1"
      compatible_runtimes      = ["python3.11"]
      compatible_architectures = ["arm64"]
    }
  }

  expect_failures = [aws_lambda_function.shard]
}

run "rejects_zero_shards" {
  command = plan
  variables { shard_count = 0 }
  expect_failures = [var.shard_count]
}

run "rejects_101_shards" {
  command = plan
  variables { shard_count = 101 }
  expect_failures = [var.shard_count]
}

run "rejects_fractional_shards" {
  command = plan
  variables { shard_count = 2.5 }
  expect_failures = [var.shard_count]
}

run "rejects_bad_memory" {
  command = plan
  variables {
    memory_size = 64
    shard_count = 2
  }
  expect_failures = [var.memory_size]
}

run "rejects_timeout_over_15_minutes" {
  command = plan
  variables {
    timeout     = 901
    shard_count = 2
  }
  expect_failures = [var.timeout]
}

run "rejects_unknown_architecture" {
  command = plan
  variables {
    architecture = "ppc64le"
    shard_count  = 2
  }
  expect_failures = [var.architecture]
}

run "rejects_non_python_runtime" {
  command = plan
  variables {
    runtime     = "nodejs20.x"
    shard_count = 2
  }
  expect_failures = [var.runtime]
}

run "rejects_failure_destination_that_is_not_sqs_or_sns" {
  command = plan
  variables {
    on_failure_destination_arn = "arn:aws:s3:::snake-batch-jobs"
    shard_count                = 2
  }
  expect_failures = [var.on_failure_destination_arn]
}

run "rejects_numeric_alias" {
  command = plan
  variables {
    alias_name  = "1"
    shard_count = 2
  }
  expect_failures = [var.alias_name]
}

run "rejects_retry_storms" {
  command = plan
  variables {
    maximum_retry_attempts = 5
    shard_count            = 2
  }
  expect_failures = [var.maximum_retry_attempts]
}

run "rejects_negative_reserved_concurrency" {
  command = plan
  variables {
    reserved_concurrency = -1
    shard_count          = 2
  }
  expect_failures = [var.reserved_concurrency]
}

run "rejects_reservations_that_leave_fewer_than_100_unreserved" {
  command = plan
  variables {
    shard_count               = 4
    reserved_concurrency      = 226
    account_concurrency_limit = 1000
  }
  expect_failures = [var.reserved_concurrency]
}

run "accepts_reservations_that_leave_exactly_100_unreserved" {
  command = plan
  variables {
    shard_count               = 4
    reserved_concurrency      = 225
    account_concurrency_limit = 1000
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.shard : f.reserved_concurrent_executions == 225])
    error_message = "4 x 225 leaves 100 of 1000 unreserved, which AWS accepts."
  }
}
