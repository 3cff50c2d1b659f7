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
}

resource "aws_sns_topic" "alarms" {
  name              = var.topic_name
  kms_master_key_id = var.topic_kms_key_id
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

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
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
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
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  alarm_name          = "${var.reports_dlq_name}-depth"
  alarm_description   = "Messages in ${var.reports_dlq_name}: poison reports need a human"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.reports_dlq_name }
  statistic           = "Maximum"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  period              = var.period_seconds
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}
