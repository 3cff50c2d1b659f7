# Every mocked ARN is distinct, so an alarm wired to the wrong topic, or a topic on the
# wrong key, fails an assertion; the literals below are the mocks, not the expressions
# the module sets them from.
mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-3:123456789012:mock-alarm-topic" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-3:123456789012:key/mock-topic-key", key_id = "mock-topic-key" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "210987654321" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
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
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.shard : a.namespace == "AWS/Lambda" && length(coalesce(a.alarm_actions, [])) == 0 && length(coalesce(a.ok_actions, [])) == 0])
    error_message = "Per-shard alarms must notify nobody directly: the composite alarms do, once per kind."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.queue_age.metric_name == "ApproximateAgeOfOldestMessage" && aws_cloudwatch_metric_alarm.queue_age.dimensions.QueueName == "v9-reports"
    error_message = "The reports queue's oldest message age must be watched."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_depth["v9-reports-dlq"].metric_name == "ApproximateNumberOfMessagesVisible" && aws_cloudwatch_metric_alarm.dlq_depth["v9-reports-dlq"].dimensions.QueueName == "v9-reports-dlq" && aws_cloudwatch_metric_alarm.dlq_depth["v9-reports-dlq"].threshold == 1
    error_message = "Any message in the DLQ must raise an alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.account_concurrency.metric_name == "ConcurrentExecutions" && aws_cloudwatch_metric_alarm.account_concurrency.threshold == 800 && length(coalesce(aws_cloudwatch_metric_alarm.account_concurrency.dimensions, {})) == 0
    error_message = "Account-wide ConcurrentExecutions (no dimension) must alarm at 80 % of the 1000 quota."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.unhealthy_gatherers) == 0 && length(aws_cloudwatch_metric_alarm.pc_left_on) == 0
    error_message = "Without a gatherer target or a sweeper there is nothing for those alarms to watch."
  }
  assert {
    condition     = toset(keys(output.shard_alarm_names)) == toset(var.function_names) && alltrue([for f, names in output.shard_alarm_names : length(names) == 5])
    error_message = "shard_alarm_names must list five alarms for every shard."
  }
}

run "one_composite_per_kind_covers_every_shard" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_composite_alarm.shards) == 5
    error_message = "A burst must notify once per kind: five composite alarms, not 500."
  }
  assert {
    condition     = length(regexall("ALARM\\(\"v9-worker-pipe-[0-9][0-9]-throttles\"\\)", aws_cloudwatch_composite_alarm.shards["throttles"].alarm_rule)) == 100 && strcontains(aws_cloudwatch_composite_alarm.shards["throttles"].alarm_rule, "ALARM(\"v9-worker-pipe-99-throttles\") ") == false && endswith(aws_cloudwatch_composite_alarm.shards["throttles"].alarm_rule, "ALARM(\"v9-worker-pipe-99-throttles\")")
    error_message = "The throttles composite must OR the throttles alarms of all 100 shards."
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_composite_alarm.shards : length(a.alarm_rule) <= 10240])
    error_message = "A composite AlarmRule must stay within CloudWatch's 10240 characters."
  }
}

run "alarms_notify_the_topic_encrypted_with_a_key_cloudwatch_may_use" {
  command = apply

  variables {
    function_names  = ["v9-worker-pipe-00", "v9-worker-pipe-01"]
    extra_dlq_names = ["v9-worker-pipe-pc-auto-off-dlq"]
    gatherer_target = { load_balancer = "app/gatherer/1234", target_group = "targetgroup/sbg/5678" }
    pc_guard = {
      sweeper_function     = "v9-worker-pipe-pc-sweeper"
      namespace            = "SnakeBatch"
      sweep_period_seconds = 900
      max_ttl_seconds      = 86400
    }
  }

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_composite_alarm.shards : a.alarm_actions == toset(["arn:aws:sns:eu-west-3:123456789012:mock-alarm-topic"]) && a.ok_actions == toset(["arn:aws:sns:eu-west-3:123456789012:mock-alarm-topic"])],
      [aws_cloudwatch_metric_alarm.queue_age.alarm_actions == toset(["arn:aws:sns:eu-west-3:123456789012:mock-alarm-topic"])],
      [for a in aws_cloudwatch_metric_alarm.dlq_depth : a.alarm_actions == toset(["arn:aws:sns:eu-west-3:123456789012:mock-alarm-topic"])],
    ))
    error_message = "The composite, queue and DLQ alarms must notify the SNS topic."
  }
  assert {
    condition     = length(output.notifying_alarm_names) == 7 && contains(output.notifying_alarm_names, "v9-worker-pipe-pc-auto-off-dlq-depth")
    error_message = "Queue age, 2 DLQs, account concurrency, gatherer health, PC left on and sweeper errors must all notify."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.unhealthy_gatherers[0].dimensions == tomap({ LoadBalancer = "app/gatherer/1234", TargetGroup = "targetgroup/sbg/5678" }) && aws_cloudwatch_metric_alarm.unhealthy_gatherers[0].metric_name == "UnHealthyHostCount"
    error_message = "Unhealthy gatherer hosts must be watched on the ALB's target group."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.pc_left_on[0].threshold == 86400 && aws_cloudwatch_metric_alarm.pc_left_on[0].treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.pc_left_on[0].namespace == "SnakeBatch"
    error_message = "Slots older than the longest TTL, or a silent sweeper, must raise an alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.pc_sweeper_errors[0].dimensions.FunctionName == "v9-worker-pipe-pc-sweeper" && aws_cloudwatch_metric_alarm.pc_sweeper_errors[0].metric_name == "Errors"
    error_message = "A failing sweeper must raise an alarm."
  }
  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == "arn:aws:kms:eu-west-3:123456789012:key/mock-topic-key"
    error_message = "The alarm topic must be encrypted with the module's customer-managed key."
  }
  assert {
    condition     = aws_kms_key.topic[0].enable_key_rotation
    error_message = "The topic key must rotate."
  }
  assert {
    condition = jsondecode(aws_kms_key.topic[0].policy).Statement[1] == {
      Sid       = "CloudWatchPublishesAlarms"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
      Resource  = "*"
      Condition = { StringEquals = { "aws:SourceAccount" = "210987654321" } }
    }
    error_message = "The key policy must let CloudWatch (from this account only) decrypt and generate data keys."
  }
  assert {
    condition     = jsondecode(aws_kms_key.topic[0].policy).Statement[0].Principal.AWS == "arn:aws:iam::210987654321:root" && length(jsondecode(aws_kms_key.topic[0].policy).Statement) == 2
    error_message = "Only the account root administers the key, beside CloudWatch's grant."
  }
}

run "without_composites_every_shard_alarm_notifies" {
  command = apply

  variables {
    function_names   = ["v9-worker-pipe-00", "v9-worker-pipe-01"]
    composite_alarms = false
  }

  assert {
    condition     = length(aws_cloudwatch_composite_alarm.shards) == 0 && alltrue([for a in aws_cloudwatch_metric_alarm.shard : a.alarm_actions == toset(["arn:aws:sns:eu-west-3:123456789012:mock-alarm-topic"])])
    error_message = "Without composite alarms each shard alarm must notify the topic itself."
  }
}

run "a_given_key_replaces_the_module_key" {
  command = plan
  variables {
    topic_kms_key_id = "arn:aws:kms:eu-west-3:123456789012:key/given"
  }
  assert {
    condition     = length(aws_kms_key.topic) == 0 && aws_sns_topic.alarms.kms_master_key_id == "arn:aws:kms:eu-west-3:123456789012:key/given"
    error_message = "A given key must encrypt the topic, and no key be created."
  }
}

run "rejects_the_aws_managed_key" {
  command = plan
  variables {
    topic_kms_key_id = "alias/aws/sns"
  }
  expect_failures = [var.topic_kms_key_id]
}

run "rejects_no_subscriber_when_one_is_required" {
  command = plan
  variables {
    require_subscriber = true
  }
  expect_failures = [var.alarm_emails]
}

run "accepts_a_subscriber_when_one_is_required" {
  command = plan
  variables {
    require_subscriber = true
    alarm_emails       = ["ops@example.com"]
  }
  assert {
    condition     = aws_sns_topic_subscription.email["ops@example.com"].protocol == "email"
    error_message = "The required subscriber must be subscribed by email."
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
