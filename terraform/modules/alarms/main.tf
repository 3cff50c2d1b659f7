locals {
  # One entry per kind of shard alarm; every shard gets all of them.
  shard_alarms = {
    errors = {
      metric    = "Errors"
      statistic = "Sum"
      threshold = var.errors_threshold
      what      = "invocations failed"
    }
    throttles = {
      metric    = "Throttles"
      statistic = "Sum"
      threshold = var.throttles_threshold
      what      = "invocations were throttled (scaling-rate ceiling?)"
    }
    duration-p99 = {
      metric    = "Duration"
      statistic = "p99"
      threshold = floor(var.function_timeout_seconds * 1000 * var.duration_threshold_ratio)
      what      = "p99 duration is near the ${var.function_timeout_seconds} s timeout"
    }
    event-age = {
      metric    = "AsyncEventAge"
      statistic = "Maximum"
      threshold = var.event_age_threshold_seconds * 1000
      what      = "async events wait too long before running"
    }
    events-dropped = {
      metric    = "AsyncEventsDropped"
      statistic = "Sum"
      threshold = 1
      what      = "async events were dropped"
    }
  }

  shard_alarm_pairs = {
    for pair in setproduct(var.function_names, keys(local.shard_alarms)) :
    "${pair[0]}-${pair[1]}" => { function = pair[0], kind = pair[1] }
  }

  extended_statistics = ["p99"]
  topic_actions       = [aws_sns_topic.alarms.arn]
}

# The topic needs a customer-managed key: CloudWatch cannot use the AWS-managed
# alias/aws/sns key (its policy cannot grant other services), so alarms published to a
# topic encrypted with it are dropped without a trace.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # jsonencode, not a policy-document data source: the rendered JSON is what the tests read.
  topic_key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersTheKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchPublishesAlarms"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  }
}

resource "aws_kms_key" "topic" {
  count = var.topic_kms_key_id == null ? 1 : 0

  description         = "Encrypts the ${var.topic_name} alarm topic; CloudWatch may use it to publish"
  enable_key_rotation = true
  policy              = jsonencode(local.topic_key_policy)
  tags                = var.tags
}

resource "aws_kms_alias" "topic" {
  count = var.topic_kms_key_id == null ? 1 : 0

  name          = "alias/${var.topic_name}"
  target_key_id = aws_kms_key.topic[0].key_id
}

resource "aws_sns_topic" "alarms" {
  name              = var.topic_name
  kms_master_key_id = var.topic_kms_key_id == null ? aws_kms_key.topic[0].arn : var.topic_kms_key_id
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Per-shard alarms carry no actions: they feed one composite alarm per kind, so a
# throttling burst across 100 shards sends one notification (and one OK), not 500.
# Without composites (moto has no PutCompositeAlarm) each shard alarm notifies itself.
resource "aws_cloudwatch_metric_alarm" "shard" {
  for_each = local.shard_alarm_pairs

  alarm_name          = each.key
  alarm_description   = "${each.value.function}: ${local.shard_alarms[each.value.kind].what}"
  namespace           = "AWS/Lambda"
  metric_name         = local.shard_alarms[each.value.kind].metric
  dimensions          = { FunctionName = each.value.function }
  statistic           = contains(local.extended_statistics, local.shard_alarms[each.value.kind].statistic) ? null : local.shard_alarms[each.value.kind].statistic
  extended_statistic  = contains(local.extended_statistics, local.shard_alarms[each.value.kind].statistic) ? local.shard_alarms[each.value.kind].statistic : null
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = local.shard_alarms[each.value.kind].threshold
  period              = var.period_seconds
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.composite_alarms ? [] : local.topic_actions
  ok_actions          = var.composite_alarms ? [] : local.topic_actions
  tags                = var.tags
}

# AlarmRule is at most 10240 characters: 100 shards of ALARM("<name>") fit per kind.
resource "aws_cloudwatch_composite_alarm" "shards" {
  for_each = var.composite_alarms ? local.shard_alarms : {}

  alarm_name        = "${var.topic_name}-shards-${each.key}"
  alarm_description = "Some shards: ${each.value.what}; the per-shard alarms in ALARM say which"
  alarm_rule        = join(" OR ", [for f in var.function_names : "ALARM(\"${aws_cloudwatch_metric_alarm.shard["${f}-${each.key}"].alarm_name}\")"])
  alarm_actions     = local.topic_actions
  ok_actions        = local.topic_actions
  tags              = var.tags
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  alarm_name          = "${var.reports_queue_name}-oldest-message-age"
  alarm_description   = "Reports wait in ${var.reports_queue_name}: the gatherer's drainer is stalled or down"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = var.reports_queue_name }
  statistic           = "Maximum"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.queue_age_threshold_seconds
  period              = var.period_seconds
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = toset(concat([var.reports_dlq_name], var.extra_dlq_names))

  alarm_name          = "${each.key}-depth"
  alarm_description   = "Messages in ${each.key}: failures nobody retried need a human"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.key }
  statistic           = "Maximum"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  period              = var.period_seconds
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "account_concurrency" {
  alarm_name          = "${var.topic_name}-account-concurrency"
  alarm_description   = "Account-wide Lambda concurrency is at ${floor(var.concurrency_alarm_ratio * 100)} % of the ${var.account_concurrency_limit} quota: new invocations will be throttled"
  namespace           = "AWS/Lambda"
  metric_name         = "ConcurrentExecutions"
  statistic           = "Maximum"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = floor(var.account_concurrency_limit * var.concurrency_alarm_ratio)
  period              = var.period_seconds
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_gatherers" {
  count = var.gatherer_target == null ? 0 : 1

  alarm_name          = "${var.topic_name}-gatherer-unhealthy-hosts"
  alarm_description   = "A gatherer instance fails its health check (its console log names the boot step that failed)"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.gatherer_target.load_balancer, TargetGroup = var.gatherer_target.target_group }
  statistic           = "Maximum"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  period              = 60
  evaluation_periods  = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}

# The sweeper publishes the age of the oldest provisioned-concurrency config it saw; a
# config older than the longest TTL means both the scheduled off and the sweep failed.
# No data is breaching: a sweeper that stopped running is a failure too.
resource "aws_cloudwatch_metric_alarm" "pc_left_on" {
  count = var.pc_guard == null ? 0 : 1

  alarm_name          = "${var.topic_name}-pc-left-on"
  alarm_description   = "Provisioned concurrency on some shard outlived the longest TTL (${var.pc_guard.max_ttl_seconds} s), or the sweeper stopped reporting"
  namespace           = var.pc_guard.namespace
  metric_name         = "OldestProvisionedConcurrencyAge"
  statistic           = "Maximum"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.pc_guard.max_ttl_seconds
  period              = var.pc_guard.sweep_period_seconds
  evaluation_periods  = 2
  treat_missing_data  = "breaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "pc_sweeper_errors" {
  count = var.pc_guard == null ? 0 : 1

  alarm_name          = "${var.pc_guard.sweeper_function}-errors"
  alarm_description   = "The provisioned-concurrency sweeper failed: slots may stay on"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.pc_guard.sweeper_function }
  statistic           = "Sum"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  period              = var.pc_guard.sweep_period_seconds
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}
