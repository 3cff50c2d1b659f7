output "function_names" {
  description = "Shard function names in shard order."
  value       = module.snakebatch.function_names
}

output "alias_name" {
  description = "Alias every shard carries."
  value       = module.snakebatch.alias_name
}

output "shard_environment" {
  description = "Environment of the shards and the gatherer (settings.env names)."
  value       = module.snakebatch.shard_environment
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = module.snakebatch.alarm_topic_arn
}

output "gatherer_url" {
  description = "HTTPS URL of the gatherer, when it has a load balancer."
  value       = module.snakebatch.gatherer_url
}

output "layer_arn" {
  description = "Engine layer version the shards use."
  value       = module.snakebatch.layer_arn
}

output "shard_alarm_names" {
  description = "Alarm names per shard function."
  value       = module.snakebatch.shard_alarm_names
}

output "shard_for" {
  description = "Shard of each shard_hash_samples entry."
  value       = module.snakebatch.shard_for
}

output "gatherer_artifacts" {
  description = "s3:// URIs of the wheel, wheelhouse and docs tarball the gatherer installs."
  value       = module.snakebatch.gatherer_artifacts
}

output "notifying_alarm_names" {
  description = "Alarms that notify the topic besides the per-shard ones (composites, queues, DLQs, concurrency, PC guard)."
  value       = module.snakebatch.notifying_alarm_names
}
