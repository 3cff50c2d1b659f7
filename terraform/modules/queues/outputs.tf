output "queue_url" {
  description = "URL of the reports queue (SNAKEBATCH_REPORTS_QUEUE_URL)."
  value       = aws_sqs_queue.reports.url
}

output "queue_arn" {
  description = "ARN of the reports queue."
  value       = aws_sqs_queue.reports.arn
}

output "queue_name" {
  description = "Name of the reports queue."
  value       = aws_sqs_queue.reports.name
}

output "dlq_url" {
  description = "URL of the dead-letter queue (SNAKEBATCH_REPORTS_DLQ_URL)."
  value       = aws_sqs_queue.dlq.url
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "visibility_timeout_seconds" {
  description = "Visibility timeout of the reports queue."
  value       = aws_sqs_queue.reports.visibility_timeout_seconds
}
