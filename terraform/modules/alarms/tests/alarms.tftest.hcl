mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-3:123456789012:v9-worker-pipe-alarms" }
  }
}

variables {
  function_names           = [for shard in range(100) : format("v9-worker-pipe-%02d", shard)]
  function_timeout_seconds = 300
  reports_queue_name       = "v9-reports"
  reports_dlq_name         = "v9-reports-dlq"
  topic_name               = "v9-worker-pipe-alarms"
}

run "every_shard_has_every_alarm" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.shard) == 500
    error_message = "100 shards x 5 kinds must make 500 shard alarms."
  }
  assert {
    condition = alltrue(flatten([for f in var.function_names : [
      for kind in ["errors", "throttles", "duration-p99", "event-age", "events-dropped"] :
      aws_cloudwatch_metric_alarm.shard["${f}-${kind}"].dimensions.FunctionName == f
    ]]))
    error_message = "Each shard must have each kind of alarm, on its own FunctionName."
  }
  assert {
    condition     = toset([for a in aws_cloudwatch_metric_alarm.shard : a.metric_name]) == toset(["Errors", "Throttles", "Duration", "AsyncEventAge", "AsyncEventsDropped"])
    error_message = "Shard alarms must watch Errors, Throttles, Duration, AsyncEventAge and AsyncEventsDropped."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.shard["v9-worker-pipe-42-duration-p99"].extended_statistic == "p99" && aws_cloudwatch_metric_alarm.shard["v9-worker-pipe-42-duration-p99"].threshold == 240000
    error_message = "Duration must alarm on p99 at 80% of the 300 s timeout (240000 ms)."
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.shard : a.namespace == "AWS/Lambda" && length(a.alarm_actions) == 1])
    error_message = "Every shard alarm must be a Lambda metric with one alarm action."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.queue_age.metric_name == "ApproximateAgeOfOldestMessage" && aws_cloudwatch_metric_alarm.queue_age.dimensions.QueueName == "v9-reports"
    error_message = "The reports queue's oldest message age must be watched."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_depth.metric_name == "ApproximateNumberOfMessagesVisible" && aws_cloudwatch_metric_alarm.dlq_depth.dimensions.QueueName == "v9-reports-dlq" && aws_cloudwatch_metric_alarm.dlq_depth.threshold == 1
    error_message = "Any message in the DLQ must raise an alarm."
  }
  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == "alias/aws/sns"
    error_message = "The alarm topic must be encrypted."
  }
  assert {
    condition     = toset(keys(output.shard_alarm_names)) == toset(var.function_names) && alltrue([for f, names in output.shard_alarm_names : length(names) == 5])
    error_message = "shard_alarm_names must list five alarms for every shard."
  }
}

run "alarms_notify_the_topic" {
  command = apply

  variables {
    function_names = ["v9-worker-pipe-00", "v9-worker-pipe-01"]
  }

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_metric_alarm.shard : a.alarm_actions == toset([aws_sns_topic.alarms.arn])],
      [aws_cloudwatch_metric_alarm.queue_age.alarm_actions == toset([aws_sns_topic.alarms.arn]), aws_cloudwatch_metric_alarm.dlq_depth.alarm_actions == toset([aws_sns_topic.alarms.arn])]
    ))
    error_message = "Every alarm must notify the SNS topic."
  }
}

run "rejects_ratio_of_one" {
  command = plan
  variables {
    duration_threshold_ratio = 1
  }
  expect_failures = [var.duration_threshold_ratio]
}

run "rejects_duplicate_functions" {
  command = plan
  variables {
    function_names = ["v9-worker-pipe-00", "v9-worker-pipe-00"]
  }
  expect_failures = [var.function_names]
}

run "rejects_no_functions" {
  command = plan
  variables {
    function_names = []
  }
  expect_failures = [var.function_names]
}

run "rejects_odd_period" {
  command = plan
  variables {
    period_seconds = 45
  }
  expect_failures = [var.period_seconds]
}

run "rejects_bad_email" {
  command = plan
  variables {
    alarm_emails = ["ops-at-example"]
  }
  expect_failures = [var.alarm_emails]
}
