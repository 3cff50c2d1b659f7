output "scheduler_role_arn" {
  description = "Role the auto-off schedules and the sweep schedule assume ({prefix}-pc-auto-off)."
  value       = aws_iam_role.scheduler.arn
}

output "scheduler_policy_statements" {
  description = "The scheduler role's statements, as rendered into its policy."
  value       = local.scheduler_statements
}

output "sweeper_policy_statements" {
  description = "The sweeper role's statements, as rendered into its policy."
  value       = local.sweeper_statements
}

output "dlq_arn" {
  description = "Dead-letter queue of every schedule ({prefix}-pc-auto-off-dlq)."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the schedules' dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "sweeper_function" {
  description = "Name of the sweeper function."
  value       = aws_lambda_function.sweeper.function_name
}

output "sweep_period_seconds" {
  description = "How often the sweeper runs."
  value       = var.sweep_period_seconds
}

output "metric_namespace" {
  description = "Namespace of the sweeper's metric."
  value       = var.metric_namespace
}
