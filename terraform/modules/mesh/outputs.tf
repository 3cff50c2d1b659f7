output "function_names" {
  description = "Shard function names in shard order."
  value       = local.function_names
}

output "function_arns" {
  description = "Unqualified ARNs of the shard functions, in shard order."
  value       = aws_lambda_function.shard[*].arn
}

output "alias_name" {
  description = "Alias every shard carries."
  value       = var.alias_name
}

output "alias_arns" {
  description = "ARNs of the shard aliases, in shard order (provisioned concurrency targets)."
  value       = aws_lambda_alias.live[*].arn
}

output "versions" {
  description = "Published version each alias points at, in shard order."
  value       = aws_lambda_function.shard[*].version
}

output "role_arn" {
  description = "ARN of the execution role the shards share."
  value       = aws_iam_role.shard.arn
}

output "role_name" {
  description = "Name of the execution role the shards share."
  value       = aws_iam_role.shard.name
}

output "policy_json" {
  description = "The shards' inline policy as Terraform renders it, for review and tests."
  value       = aws_iam_role_policy.shard.policy
}

output "log_group_names" {
  description = "Log group of each shard, in shard order."
  value       = aws_cloudwatch_log_group.shard[*].name
}

output "timeout" {
  description = "Timeout of every shard in seconds (the alarms size the Duration threshold from it)."
  value       = var.timeout
}
