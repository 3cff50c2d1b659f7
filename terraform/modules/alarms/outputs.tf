output "topic_arn" {
  description = "ARN of the SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "shard_alarm_kinds" {
  description = "Kinds of alarm each shard has."
  value       = sort(keys(local.shard_alarms))
}

output "shard_alarm_names" {
  description = "Alarm names per shard function."
  value = {
    for function in var.function_names :
    function => sort([for key, pair in local.shard_alarm_pairs : key if pair.function == function])
  }
}

output "queue_alarm_names" {
  description = "Names of the queue age and DLQ depth alarms."
  value       = concat([aws_cloudwatch_metric_alarm.queue_age.alarm_name], [for a in aws_cloudwatch_metric_alarm.dlq_depth : a.alarm_name])
}

output "shard_composite_alarm_names" {
  description = "One composite alarm per kind over every shard; these, not the per-shard alarms, notify the topic."
  value       = { for kind, a in aws_cloudwatch_composite_alarm.shards : kind => a.alarm_name }
}

output "notifying_alarm_names" {
  description = "Every metric alarm that notifies the topic directly (queues, DLQs, account concurrency, gatherer health, provisioned-concurrency guard)."
  value = concat(
    [aws_cloudwatch_metric_alarm.queue_age.alarm_name, aws_cloudwatch_metric_alarm.account_concurrency.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.dlq_depth : a.alarm_name],
    aws_cloudwatch_metric_alarm.unhealthy_gatherers[*].alarm_name,
    aws_cloudwatch_metric_alarm.pc_left_on[*].alarm_name,
    aws_cloudwatch_metric_alarm.pc_sweeper_errors[*].alarm_name,
  )
}

output "topic_kms_key_arn" {
  description = "Customer-managed key of the topic, or null when topic_kms_key_id was given."
  value       = try(aws_kms_key.topic[0].arn, null)
}

output "duration_threshold_ms" {
  description = "p99 Duration (ms) at which a shard alarms."
  value       = local.shard_alarms["duration-p99"].threshold
}
