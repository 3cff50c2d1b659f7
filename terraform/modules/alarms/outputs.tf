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
  value       = [aws_cloudwatch_metric_alarm.queue_age.alarm_name, aws_cloudwatch_metric_alarm.dlq_depth.alarm_name]
}

output "duration_threshold_ms" {
  description = "p99 Duration (ms) at which a shard alarms."
  value       = local.shard_alarms["duration-p99"].threshold
}
