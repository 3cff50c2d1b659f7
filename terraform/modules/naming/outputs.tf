output "shard_count" {
  description = "Number of shard functions."
  value       = local.shard_count
}

output "function_prefix" {
  description = "Prefix of the shard function names (settings.function_prefix plus the suffix)."
  value       = local.function_prefix
}

output "function_names" {
  description = "Shard function names in shard order, e.g. v9-worker-pipe-00."
  value       = local.function_names
}

output "alias" {
  description = "Alias every shard carries; provisioned concurrency toggles target it."
  value       = var.settings.alias
}

output "reports_queue" {
  description = "Name of the reports queue."
  value       = "${var.settings.reports_queue}${var.name_suffix}"
}

output "reports_dlq" {
  description = "Name of the reports dead-letter queue."
  value       = "${var.settings.reports_dlq}${var.name_suffix}"
}

output "job_table" {
  description = "Name of the DynamoDB job table."
  value       = "${var.settings.job_table}${var.name_suffix}"
}

output "bucket" {
  description = "Name of the S3 bucket holding staged populations and models."
  value       = local.bucket

  precondition {
    condition     = var.bucket_name != "" || !strcontains(var.settings.bucket, "{account}") || var.account_id != ""
    error_message = "settings.bucket (${var.settings.bucket}) needs account_id to fill {account}, or give bucket_name."
  }
}

output "layer_name" {
  description = "Name of the engine Lambda layer."
  value       = "${var.settings.layer_name}${var.name_suffix}"
}

output "lambda" {
  description = "Runtime, architecture, memory (MB) and timeout (s) the shards and the layer share."
  value = {
    runtime      = var.settings.lambda_runtime
    architecture = var.settings.lambda_architecture
    memory_mb    = var.settings.lambda_memory_mb
    timeout_s    = var.settings.lambda_timeout_s
  }
}

output "env" {
  description = "Environment variable names keyed by setting, from settings.env."
  value       = var.settings.env
}

output "shard_for" {
  description = "Shard of each shard_hash_samples entry, in order."
  value       = local.shard_for
}

output "region" {
  description = "Region the stack is deployed to (settings.region)."
  value       = var.settings.region
}
