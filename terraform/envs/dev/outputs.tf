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

output "gatherer_artifacts" {
  description = "s3:// URIs of the wheel, wheelhouse and docs tarball the gatherer installs."
  value       = module.snakebatch.gatherer_artifacts
}
