output "function_names" {
  description = "Shard function names in shard order."
  value       = module.mesh.function_names
}

output "function_arns" {
  description = "Shard function ARNs in shard order."
  value       = module.mesh.function_arns
}

output "alias_name" {
  description = "Alias every shard carries (provisioned concurrency target)."
  value       = module.mesh.alias_name
}

output "shard_environment" {
  description = "Environment every shard gets, keyed by the settings.env names (the gatherer's too)."
  value       = local.shard_environment
}

output "layer_arn" {
  description = "Engine layer version the shards use."
  value       = module.layer.arn
}

output "reports_queue_url" {
  description = "URL of the reports queue."
  value       = module.queues.queue_url
}

output "reports_dlq_url" {
  description = "URL of the reports dead-letter queue."
  value       = module.queues.dlq_url
}

output "bucket" {
  description = "Name of the job bucket."
  value       = module.storage.bucket_name
}

output "job_table" {
  description = "Name of the job table."
  value       = module.storage.table_name
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = module.alarms.topic_arn
}

output "pc_auto_off" {
  description = "The provisioned-concurrency guard: scheduler role, schedules' DLQ and sweeper function."
  value = {
    role_arn         = module.pcguard.scheduler_role_arn
    dlq_arn          = module.pcguard.dlq_arn
    sweeper_function = module.pcguard.sweeper_function
  }
}

output "notifying_alarm_names" {
  description = "Alarms that notify the topic: one composite per shard-alarm kind, then queue, DLQ, concurrency, gatherer and PC-guard alarms."
  value       = concat(values(module.alarms.shard_composite_alarm_names), module.alarms.notifying_alarm_names)
}

output "shard_alarm_names" {
  description = "Alarm names per shard function."
  value       = module.alarms.shard_alarm_names
}

output "shard_for" {
  description = "Shard of each shard_hash_samples entry (the Terraform side of shard_for)."
  value       = module.naming.shard_for
}

output "gatherer_autoscaling_group" {
  description = "Name of the gatherer's ASG, or null when create_gatherer is false."
  value       = try(module.gatherer[0].autoscaling_group_name, null)
}

output "gatherer_url" {
  description = "HTTPS URL of the gatherer's ALB, or null without one."
  value       = try("https://${module.gatherer[0].alb_dns_name}", null)
}

output "gatherer_artifacts" {
  description = "s3:// URIs of the wheel, wheelhouse and docs tarball the gatherer installs (uploaded under artifacts/ or given); \"\" for none."
  value = {
    wheel_s3_uri      = local.gatherer_wheel_s3_uri
    docs_s3_uri       = local.gatherer_docs_s3_uri
    wheelhouse_s3_uri = local.gatherer_wheelhouse_s3_uri
  }
}
